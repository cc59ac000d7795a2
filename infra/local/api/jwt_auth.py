"""API Gateway's JWT authorizer: RS256 signature, expiry, issuer and audience.

Emulator gap, handled here only: moto's Cognito signs tokens with the real AWS issuer
(`https://cognito-idp.<region>.amazonaws.com/<pool_id>`) but serves its JWKS at the local
address. So the expected issuer (from the template) and the JWKS URL (from the emulator) are
two separate settings; `local_jwks_url` derives the second from the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt


class Unauthorized(Exception):
    """No valid token: API Gateway answers 401 without calling the function."""


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audience: tuple[str, ...]
    jwks_url: str


def local_jwks_url(emulator_url: str, issuer: str) -> str:
    pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
    return f"{emulator_url.rstrip('/')}/{pool_id}/.well-known/jwks.json"


SigningKeyFor = Callable[[str], Any]
ExtraAudience = Callable[[frozenset[str]], bool]
"""Whether a token's audiences, absent from the template's list, are accepted all the same."""


def jwks_signing_keys(jwks_url: str) -> SigningKeyFor:
    client = jwt.PyJWKClient(jwks_url, cache_keys=True)
    return lambda token: client.get_signing_key_from_jwt(token).key


def _audiences(claims: dict[str, Any]) -> frozenset[str]:
    """`aud` (a string or a list of strings) or else `client_id`; any other shape: none."""
    value = claims.get("aud") or claims.get("client_id")
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    return frozenset()  # a signed token with `"aud": 5` is refused, not a TypeError


def _claim_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


class JwtVerifier:
    def __init__(
        self,
        authorizer: JwtAuthorizer,
        signing_key_for: SigningKeyFor | None = None,
        extra_audience: ExtraAudience | None = None,
    ):
        self.authorizer = authorizer
        self._signing_key_for = signing_key_for or jwks_signing_keys(authorizer.jwks_url)
        self._extra_audience = extra_audience

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The claims of a valid `Authorization` header value; raises Unauthorized otherwise."""
        if not authorization:
            raise Unauthorized("no Authorization header")
        token = authorization.strip()
        if token.lower().startswith("bearer "):
            token = token[len("bearer ") :].strip()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._signing_key_for(token),
                algorithms=["RS256"],
                issuer=self.authorizer.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(str(exc)) from exc
        if not self._accepts(_audiences(claims)):
            raise Unauthorized("token audience is not in the authorizer's audience list")
        return claims

    def _accepts(self, audiences: frozenset[str]) -> bool:
        if audiences & set(self.authorizer.audience):
            return True
        return self._extra_audience is not None and self._extra_audience(audiences)


def authorizer_context(claims: dict[str, Any]) -> dict[str, Any]:
    """`requestContext.authorizer` as API Gateway fills it: claims as strings, scopes a list."""
    scope = claims.get("scope")
    return {
        "jwt": {
            "claims": {name: _claim_text(value) for name, value in claims.items()},
            "scopes": str(scope).split() if scope else None,
        }
    }


def has_scopes(claims: dict[str, Any], required: tuple[str, ...]) -> bool:
    if not required:
        return True
    return bool(set(str(claims.get("scope") or "").split()) & set(required))
