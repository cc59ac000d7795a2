import base64
import time
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from botocore.exceptions import ClientError
from jwt.algorithms import RSAAlgorithm
from moto.utilities.utils import load_resource

from infra.local.oauth import TokenEndpoint

POOL_ID = "us-east-1_pool"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
NOW = 1_795_000_000
PARTNER = {
    "ClientId": "partner-1",
    "ClientSecret": "s3cret",
    "AllowedOAuthFlows": ["client_credentials"],
    "AllowedOAuthScopes": ["jobs/read", "jobs/write"],
    "AllowedOAuthFlowsUserPoolClient": True,
    "AccessTokenValidity": 60,
    "TokenValidityUnits": {"AccessToken": "minutes"},
}
WEB = {"ClientId": "web-1", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}


class FakeCognito:
    """describe_user_pool_client of one pool, as the emulator answers it."""

    def __init__(self, *clients: dict[str, Any]) -> None:
        self.clients = {client["ClientId"]: client for client in clients}

    def describe_user_pool_client(self, *, UserPoolId: str, ClientId: str) -> dict[str, Any]:
        if UserPoolId != POOL_ID or ClientId not in self.clients:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no client"}}
            raise ClientError(error, "DescribeUserPoolClient")  # type: ignore[arg-type]
        return {"UserPoolClient": self.clients[ClientId]}


@pytest.fixture
def endpoint() -> TokenEndpoint:
    return TokenEndpoint(FakeCognito(PARTNER, WEB), POOL_ID, "us-east-1", clock=lambda: NOW)


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def form(**fields: str) -> bytes:
    return urlencode({"grant_type": "client_credentials", **fields}).encode()


def moto_public_key() -> Any:
    jwks = load_resource("cognitoidp/resources/jwks-public.json")
    return RSAAlgorithm.from_jwk(jwks["keys"][0])


def decoded(answer: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        answer["access_token"],
        moto_public_key(),
        algorithms=["RS256"],
        issuer=ISSUER,
        options={"verify_exp": False},
    )
    return claims


def test_basic_auth_client_gets_a_bearer_token_for_its_validity(endpoint: TokenEndpoint):
    # Given / When
    status, answer = endpoint.handle(form(), basic("partner-1", "s3cret"))

    # Then
    assert (status, answer["token_type"], answer["expires_in"]) == (200, "Bearer", 3600)


def test_token_has_cognito_client_credentials_claims(endpoint: TokenEndpoint):
    # Given / When
    _, answer = endpoint.handle(form(), basic("partner-1", "s3cret"))

    # Then
    claims = decoded(answer)
    assert {name: claims[name] for name in ("sub", "client_id", "token_use", "iss", "exp")} == {
        "sub": "partner-1",
        "client_id": "partner-1",
        "token_use": "access",
        "iss": ISSUER,
        "exp": NOW + 3600,
    }
    assert {"iat", "auth_time", "jti", "version"} <= set(claims)


def test_token_is_signed_with_moto_key_id(endpoint: TokenEndpoint):
    # Given / When
    _, answer = endpoint.handle(form(), basic("partner-1", "s3cret"))

    # Then
    assert jwt.get_unverified_header(answer["access_token"])["kid"] == "dummy"


def test_no_scope_asked_gives_every_allowed_scope(endpoint: TokenEndpoint):
    # Given / When
    _, answer = endpoint.handle(form(), basic("partner-1", "s3cret"))

    # Then
    assert decoded(answer)["scope"] == "jobs/read jobs/write"


def test_asked_scope_subset_is_granted(endpoint: TokenEndpoint):
    # Given / When
    _, answer = endpoint.handle(form(scope="jobs/read"), basic("partner-1", "s3cret"))

    # Then
    assert decoded(answer)["scope"] == "jobs/read"


def test_client_in_form_fields_is_accepted(endpoint: TokenEndpoint):
    # Given
    body = form(client_id="partner-1", client_secret="s3cret")

    # When
    status, _ = endpoint.handle(body, None)

    # Then
    assert status == 200


def test_scope_not_allowed_is_invalid_scope(endpoint: TokenEndpoint):
    # Given / When
    status, answer = endpoint.handle(form(scope="jobs/predict"), basic("partner-1", "s3cret"))

    # Then
    assert (status, answer["error"]) == (400, "invalid_scope")


def test_wrong_secret_is_invalid_client(endpoint: TokenEndpoint):
    # Given / When
    status, answer = endpoint.handle(form(), basic("partner-1", "guess"))

    # Then
    assert (status, answer["error"]) == (401, "invalid_client")


def test_unknown_client_is_invalid_client(endpoint: TokenEndpoint):
    # Given / When
    status, answer = endpoint.handle(form(), basic("nobody", "s3cret"))

    # Then
    assert (status, answer["error"]) == (401, "invalid_client")


def test_client_without_secret_is_invalid_client(endpoint: TokenEndpoint):
    # Given the web page's client, which has no secret
    # When
    status, answer = endpoint.handle(form(), basic("web-1", ""))

    # Then
    assert (status, answer["error"]) == (401, "invalid_client")


def test_other_grant_type_is_unsupported(endpoint: TokenEndpoint):
    # Given
    body = urlencode({"grant_type": "password", "username": "a", "password": "b"}).encode()

    # When
    status, answer = endpoint.handle(body, basic("partner-1", "s3cret"))

    # Then
    assert (status, answer["error"]) == (400, "unsupported_grant_type")


def test_client_without_the_flow_is_unauthorized_client():
    # Given a client with a secret but no client_credentials flow
    no_flow = {**PARTNER, "AllowedOAuthFlows": ["code"]}
    endpoint = TokenEndpoint(FakeCognito(no_flow), POOL_ID, "us-east-1", clock=time.time)

    # When
    status, answer = endpoint.handle(form(), basic("partner-1", "s3cret"))

    # Then
    assert (status, answer["error"]) == (400, "unauthorized_client")
