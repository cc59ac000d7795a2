"""Who is calling: the owner and scopes from the claims the JWT authorizer verified."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

READ = "jobs/read"
WRITE = "jobs/write"
PREDICT = "jobs/predict"


class NotAuthenticated(Exception):
    """No verified claims on the request (the authorizer did not run)."""


class NotAnAccessToken(NotAuthenticated):
    """An ID token (or any other kind) where the API needs an access token.

    API Gateway's JWT authorizer takes both (it checks `aud` or `client_id`); an ID token says
    who signed in to a client, not that the holder may call the API, so the API refuses it.
    """


class MissingScope(Exception):
    def __init__(self, scope: str) -> None:
        super().__init__(f"this token lacks the scope {scope}")
        self.scope = scope


@dataclass(frozen=True)
class Caller:
    """A person (user pool token) or a partner program (client-credentials token)."""

    owner: str
    scopes: frozenset[str]
    is_machine: bool

    def require(self, scope: str) -> None:
        """People may do everything with their own jobs; programs only what their scopes allow."""
        if self.is_machine and scope not in self.scopes:
            raise MissingScope(scope)


def caller_from_claims(claims: Mapping[str, Any], scopes: list[str] | None = None) -> Caller:
    """Client-credentials tokens have no username: their `sub` is the app client id."""
    if claims.get("token_use") != "access":
        raise NotAnAccessToken()
    owner = claims.get("sub") or claims.get("client_id")
    if not owner:
        raise NotAuthenticated()
    scope_text = claims.get("scope") or ""
    granted = frozenset(scopes or []) | frozenset(str(scope_text).split())
    is_machine = "username" not in claims and "cognito:username" not in claims
    return Caller(owner=str(owner), scopes=granted, is_machine=is_machine)


def caller_from_event(event: Mapping[str, Any]) -> Caller:
    """From an API Gateway HTTP API (payload 2.0) event with a JWT authorizer."""
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    jwt = authorizer.get("jwt") or {}
    claims = jwt.get("claims")
    if not claims:
        raise NotAuthenticated()
    return caller_from_claims(claims, jwt.get("scopes"))
