"""Cognito's OAuth2 token endpoint (`/oauth2/token`, client credentials), which moto lacks.

Emulator gap, handled here only: moto serves Cognito's JSON API and JWKS but not the user pool
domain's token endpoint. This one checks the app client as Cognito does (secret, allowed flow,
allowed scopes) from the emulator's user pool, and signs an access token shaped like Cognito's
with moto's own signing key, so the gateway's JWKS check accepts it unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import jwt
from botocore.exceptions import ClientError
from jwt.algorithms import RSAAlgorithm
from moto.utilities.utils import load_resource

TOKEN_PATH = "/oauth2/token"  # noqa: S105 (a URL path, not a secret)
_MOTO_PRIVATE_JWK = "cognitoidp/resources/jwks-private.json"
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULT_ACCESS_TOKEN_SECONDS = 3600


class OAuthError(Exception):
    """An OAuth2 error answer (RFC 6749 section 5.2)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str
    client_id: str
    client_secret: str
    scope: str | None


def parse_token_request(body: bytes, authorization: str | None) -> TokenRequest:
    """The form body, with the client from HTTP basic auth or else the form's fields."""
    try:
        form = {name: values[0] for name, values in parse_qs(body.decode("utf-8")).items()}
    except UnicodeDecodeError as exc:
        raise OAuthError(400, "invalid_request", "the body is not a UTF-8 form") from exc
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[len("basic ") :].strip(), validate=True)
            client_id, _, client_secret = decoded.decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError(401, "invalid_client", "malformed basic authorization") from exc
    return TokenRequest(
        grant_type=form.get("grant_type", ""),
        client_id=client_id,
        client_secret=client_secret,
        scope=form.get("scope"),
    )


@lru_cache(maxsize=1)
def moto_signing_key() -> tuple[str, Any]:
    """(kid, private key) of moto's Cognito: every pool of the emulator signs with it."""
    jwk = load_resource(_MOTO_PRIVATE_JWK)
    return str(jwk["kid"]), RSAAlgorithm.from_jwk(json.dumps(jwk))


def access_token_seconds(client: dict[str, Any]) -> int:
    validity = client.get("AccessTokenValidity")
    if validity is None:
        return _DEFAULT_ACCESS_TOKEN_SECONDS
    unit = (client.get("TokenValidityUnits") or {}).get("AccessToken", "hours")
    return int(validity) * _UNIT_SECONDS.get(unit, 3600)


def granted_scopes(allowed: list[str], requested: str | None) -> list[str]:
    """The requested scopes (all allowed ones when none are asked for), if each is allowed."""
    if requested is None or not requested.strip():
        granted = list(allowed)
    else:
        granted = list(dict.fromkeys(requested.split()))
        refused = [scope for scope in granted if scope not in allowed]
        if refused:
            raise OAuthError(400, "invalid_scope", f"scope not allowed: {' '.join(refused)}")
    if not granted:
        raise OAuthError(400, "invalid_scope", "this client has no scopes")
    return granted


class TokenEndpoint:
    """Client credentials for the app clients of one user pool of the emulator."""

    def __init__(
        self,
        cognito: Any,
        user_pool_id: str,
        region: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cognito = cognito
        self._pool_id = user_pool_id
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self._clock = clock

    def handle(self, body: bytes, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for one POST to the token URL."""
        try:
            return 200, self.issue(parse_token_request(body, authorization))
        except OAuthError as exc:
            return exc.status, exc.body()

    def issue(self, request: TokenRequest) -> dict[str, Any]:
        if not request.grant_type:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        if request.grant_type != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "only client_credentials is served")
        client = self._authenticated_client(request)
        if "client_credentials" not in (client.get("AllowedOAuthFlows") or []):
            raise OAuthError(400, "unauthorized_client", "client_credentials is not allowed")
        scopes = granted_scopes(list(client.get("AllowedOAuthScopes") or []), request.scope)
        expires_in = access_token_seconds(client)
        return {
            "access_token": self.sign(request.client_id, scopes, expires_in),
            "expires_in": expires_in,
            "token_type": "Bearer",
        }

    def sign(self, client_id: str, scopes: list[str], expires_in: int) -> str:
        """An access token with the claims and header Cognito gives a client-credentials one."""
        now = int(self._clock())
        claims = {
            "sub": client_id,
            "token_use": "access",
            "scope": " ".join(scopes),
            "auth_time": now,
            "iss": self.issuer,
            "exp": now + expires_in,
            "iat": now,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client_id,
        }
        kid, key = moto_signing_key()
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def _authenticated_client(self, request: TokenRequest) -> dict[str, Any]:
        if not request.client_id or not request.client_secret:
            raise OAuthError(401, "invalid_client", "client id and secret are required")
        try:
            answer = self._cognito.describe_user_pool_client(
                UserPoolId=self._pool_id, ClientId=request.client_id
            )
        except ClientError as exc:
            raise OAuthError(401, "invalid_client", "unknown client") from exc
        client: dict[str, Any] = answer["UserPoolClient"]
        secret = client.get("ClientSecret")
        if not secret or not hmac.compare_digest(secret, request.client_secret):
            raise OAuthError(401, "invalid_client", "wrong client secret")
        return client
