import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.api.jwt_auth import (
    JwtAuthorizer,
    JwtVerifier,
    Unauthorized,
    authorizer_context,
    local_jwks_url,
)

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT_ID = "web-client"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_token(key: Any = SIGNING_KEY, **overrides: Any) -> str:
    claims = {
        "iss": ISSUER,
        "sub": "user-1",
        "aud": CLIENT_ID,
        "token_use": "id",
        "email_verified": True,
        "exp": int(time.time()) + 300,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


@pytest.fixture
def verifier() -> JwtVerifier:
    authorizer = JwtAuthorizer(
        name="CognitoJwt",
        issuer=ISSUER,
        audience=(CLIENT_ID,),
        jwks_url=local_jwks_url("http://127.0.0.1:5000", ISSUER),
    )
    return JwtVerifier(authorizer, signing_key_for=lambda token: SIGNING_KEY.public_key())


def test_valid_id_token_gives_its_claims(verifier: JwtVerifier):
    # Given
    token = make_token()

    # When
    claims = verifier.verify(f"Bearer {token}")

    # Then
    assert claims["sub"] == "user-1"


def test_access_token_audience_is_its_client_id(verifier: JwtVerifier):
    # Given
    token = make_token(aud=None, client_id=CLIENT_ID, token_use="access", scope="jobs/read")

    # When
    claims = verifier.verify(f"Bearer {token}")

    # Then
    assert claims["client_id"] == CLIENT_ID


def test_expired_token_is_unauthorized(verifier: JwtVerifier):
    # Given
    token = make_token(exp=int(time.time()) - 10)

    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {token}")


def test_wrong_audience_is_unauthorized(verifier: JwtVerifier):
    # Given
    token = make_token(aud="another-client")

    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {token}")


def test_wrong_issuer_is_unauthorized(verifier: JwtVerifier):
    # Given
    token = make_token(iss="https://cognito-idp.us-east-1.amazonaws.com/other-pool")

    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {token}")


def test_bad_signature_is_unauthorized(verifier: JwtVerifier):
    # Given
    token = make_token(key=OTHER_KEY)

    # When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {token}")


def test_missing_header_is_unauthorized(verifier: JwtVerifier):
    # Given / When / Then
    with pytest.raises(Unauthorized):
        verifier.verify(None)


def test_jwks_url_points_at_the_emulator_with_the_issuers_pool():
    # Given / When
    url = local_jwks_url("http://127.0.0.1:5000", ISSUER)

    # Then
    assert url == "http://127.0.0.1:5000/us-east-1_pool/.well-known/jwks.json"


def test_authorizer_context_has_string_claims_and_scopes():
    # Given
    claims = {"sub": "u", "email_verified": True, "exp": 5, "scope": "jobs/read jobs/write"}

    # When
    context = authorizer_context(claims)

    # Then
    assert context == {
        "jwt": {
            "claims": {
                "sub": "u",
                "email_verified": "true",
                "exp": "5",
                "scope": "jobs/read jobs/write",
            },
            "scopes": ["jobs/read", "jobs/write"],
        }
    }


@pytest.mark.parametrize("aud", [5, {"a": CLIENT_ID}, [CLIENT_ID, 7], 1.5, True])
def test_a_signed_token_with_an_audience_of_another_shape_is_unauthorized(
    verifier: JwtVerifier, aud: Any
):
    # Given a correctly signed token whose `aud` is not a string or a list of strings
    token = jwt.encode(
        {"iss": ISSUER, "sub": "user-1", "aud": aud, "exp": int(time.time()) + 300},
        SIGNING_KEY,
        algorithm="RS256",
    )

    # When / Then 401, not a TypeError (500)
    with pytest.raises(Unauthorized):
        verifier.verify(f"Bearer {token}")
