from __future__ import annotations

import base64
import json
import time

import pytest
from responses import matchers

from batchscore_client.auth import (
    CognitoLogin,
    NewPasswordRequired,
    TokenProvider,
    client_credentials,
)
from batchscore_client.config import Settings
from batchscore_client.credentials import Credentials, CredentialStore
from batchscore_client.errors import AuthError
from tests.unit.client.client_support import COGNITO, TOKEN_URL

TOKENS = {
    "AuthenticationResult": {
        "IdToken": "id-1",
        "AccessToken": "a-1",
        "RefreshToken": "r-1",
        "ExpiresIn": 3600,
    }
}


def target(action: str):
    return matchers.header_matcher({"X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}"})


def test_password_login_uses_user_password_auth_and_keeps_the_access_token(http):
    # Given
    http.post(
        COGNITO,
        json=TOKENS,
        match=[
            target("InitiateAuth"),
            matchers.json_params_matcher(
                {
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": "web-client",
                    "AuthParameters": {"USERNAME": "ana", "PASSWORD": "pw"},
                }
            ),
        ],
    )

    # When
    credentials = CognitoLogin(COGNITO, "web-client").with_password("ana", "pw")

    # Then
    assert (credentials.kind, credentials.token, credentials.refresh_token) == (
        "user",
        "a-1",
        "r-1",
    )


def test_a_wrong_password_is_reported_plainly(http):
    # Given
    http.post(
        COGNITO,
        status=400,
        json={"__type": "NotAuthorizedException", "message": "Incorrect username or password."},
    )

    # When / Then
    with pytest.raises(AuthError, match="incorrect username or password"):
        CognitoLogin(COGNITO, "web-client").with_password("ana", "bad")


def test_a_first_login_without_a_new_password_asks_for_one(http):
    # Given
    http.post(COGNITO, json={"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s"})

    # When / Then
    with pytest.raises(NewPasswordRequired):
        CognitoLogin(COGNITO, "web-client").with_password("ana", "temporary")


def test_a_first_login_answers_the_new_password_challenge(http):
    # Given
    http.post(
        COGNITO,
        json={"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s"},
        match=[target("InitiateAuth")],
    )
    http.post(COGNITO, json=TOKENS, match=[target("RespondToAuthChallenge")])

    # When
    credentials = CognitoLogin(COGNITO, "web-client").with_password(
        "ana", "temporary", new_password="n3w!"
    )

    # Then
    assert credentials.token == "a-1"


def test_client_credentials_posts_the_grant_with_basic_auth(http):
    # Given
    basic = base64.b64encode(b"partner:s3cret").decode()
    http.post(
        TOKEN_URL,
        json={"access_token": "acc", "expires_in": 3600, "token_type": "Bearer"},
        match=[
            matchers.header_matcher({"Authorization": f"Basic {basic}"}),
            matchers.urlencoded_params_matcher(
                {"grant_type": "client_credentials", "scope": "batchscore/jobs.write"}
            ),
        ],
    )

    # When
    credentials = client_credentials(TOKEN_URL, "partner", "s3cret", "batchscore/jobs.write")

    # Then
    assert (credentials.kind, credentials.token) == ("client", "acc")


def test_refused_client_credentials_raise_auth_error(http):
    # Given
    http.post(TOKEN_URL, status=400, json={"error": "invalid_client"})

    # When / Then
    with pytest.raises(AuthError, match="invalid_client"):
        client_credentials(TOKEN_URL, "partner", "wrong")


def test_an_expired_user_token_is_refreshed_and_saved(http, tmp_path):
    # Given
    store = CredentialStore(tmp_path / "credentials.json")
    store.save(
        Credentials(
            kind="user",
            token="old",
            expires_at=time.time() - 1,
            refresh_token="r-1",
            cognito_endpoint=COGNITO,
            user_pool_client_id="web-client",
        )
    )
    http.post(
        COGNITO,
        json={"AuthenticationResult": {"IdToken": "id-2", "AccessToken": "a-2", "ExpiresIn": 3600}},
        match=[target("InitiateAuth")],
    )

    # When
    token = TokenProvider(store, Settings()).bearer()

    # Then
    assert token == "a-2"
    saved = json.loads(store.path.read_text())
    assert (saved["token"], saved["refresh_token"]) == ("a-2", "r-1")


def test_a_valid_saved_token_is_used_without_a_request(http, tmp_path):
    # Given
    store = CredentialStore(tmp_path / "credentials.json")
    store.save(Credentials(kind="user", token="fresh", expires_at=time.time() + 3600))

    # When
    token = TokenProvider(store, Settings()).bearer()

    # Then
    assert token == "fresh"


def test_a_program_with_client_credentials_needs_no_explicit_login(http, tmp_path):
    # Given
    http.post(TOKEN_URL, json={"access_token": "acc", "expires_in": 3600})
    settings = Settings(token_url=TOKEN_URL, client_id="partner", client_secret="s3cret")

    # When
    token = TokenProvider(CredentialStore(tmp_path / "credentials.json"), settings).bearer()

    # Then
    assert token == "acc"


def test_nobody_logged_in_is_told_to_log_in(tmp_path):
    # Given
    provider = TokenProvider(CredentialStore(tmp_path / "credentials.json"), Settings())

    # When / Then
    with pytest.raises(AuthError, match="batchscore login"):
        provider.bearer()
