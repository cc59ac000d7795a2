"""Logging in: Cognito USER_PASSWORD_AUTH for people, OAuth2 client credentials for programs."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import requests

from batchscore_client.config import Settings
from batchscore_client.credentials import Credentials, CredentialStore
from batchscore_client.errors import AuthError

TIMEOUT_SECONDS = 15.0
_FRIENDLY = {
    "NotAuthorizedException": "incorrect username or password",
    "UserNotFoundException": "incorrect username or password",
    "UserNotConfirmedException": "this account is not confirmed yet",
    "PasswordResetRequiredException": "this password must be reset by an administrator",
    "TooManyRequestsException": "too many attempts, wait a moment and try again",
}


class NewPasswordRequired(AuthError):
    """The user was created by an administrator and must choose a password first."""


class CognitoLogin:
    """The user pool's JSON API (what the AWS SDK calls), without an SDK or AWS credentials."""

    def __init__(self, endpoint: str, client_id: str, session: requests.Session | None = None):
        self._endpoint = endpoint
        self._client_id = client_id
        self._http = session or requests.Session()

    def with_password(
        self, username: str, password: str, *, new_password: str | None = None
    ) -> Credentials:
        answer = self._call(
            "InitiateAuth",
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": self._client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            },
        )
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            if not new_password:
                raise NewPasswordRequired(
                    "you must choose a new password: log in with --new-password"
                )
            answer = self._call(
                "RespondToAuthChallenge",
                {
                    "ChallengeName": "NEW_PASSWORD_REQUIRED",
                    "ClientId": self._client_id,
                    "Session": answer.get("Session"),
                    "ChallengeResponses": {"USERNAME": username, "NEW_PASSWORD": new_password},
                },
            )
        if answer.get("ChallengeName"):
            raise AuthError(
                f"sign-in step {answer['ChallengeName']} is not supported by this client"
            )
        return self._credentials(answer, username=username)

    def refresh(self, credentials: Credentials) -> Credentials:
        answer = self._call(
            "InitiateAuth",
            {
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "ClientId": self._client_id,
                "AuthParameters": {"REFRESH_TOKEN": credentials.refresh_token},
            },
        )
        fresh = self._credentials(answer, username=credentials.username)
        # Cognito does not send the refresh token again: keep the one we have
        return replace(fresh, refresh_token=fresh.refresh_token or credentials.refresh_token)

    def _credentials(self, answer: dict[str, Any], *, username: str) -> Credentials:
        result = answer.get("AuthenticationResult") or {}
        if not result.get("AccessToken"):
            raise AuthError("the sign-in service answered without a token")
        return Credentials(
            kind="user",
            token=str(result["AccessToken"]),  # the API refuses ID tokens
            expires_at=time.time() + int(result.get("ExpiresIn") or 3600),
            refresh_token=str(result.get("RefreshToken") or ""),
            cognito_endpoint=self._endpoint,
            user_pool_client_id=self._client_id,
            username=username,
        )

    def _call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
        }
        try:
            answer = self._http.post(
                self._endpoint, json=body, headers=headers, timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise AuthError(f"cannot reach the sign-in service at {self._endpoint}: {exc}") from exc
        payload = _json(answer)
        if answer.status_code >= 400:
            kind = str(payload.get("__type", "")).rsplit("#", 1)[-1]
            message = _FRIENDLY.get(kind) or payload.get("message") or f"HTTP {answer.status_code}"
            raise AuthError(f"sign-in failed: {message}")
        return payload


def client_credentials(
    token_url: str,
    client_id: str,
    client_secret: str,
    scopes: str = "",
    session: requests.Session | None = None,
) -> Credentials:
    """OAuth2 `grant_type=client_credentials` with HTTP basic auth (Cognito's /oauth2/token)."""
    form = {"grant_type": "client_credentials"}
    if scopes:
        form["scope"] = scopes
    try:
        answer = (session or requests.Session()).post(
            token_url, data=form, auth=(client_id, client_secret), timeout=TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        raise AuthError(f"cannot reach the token endpoint {token_url}: {exc}") from exc
    payload = _json(answer)
    if answer.status_code >= 400 or not payload.get("access_token"):
        reason = (
            payload.get("error_description") or payload.get("error") or f"HTTP {answer.status_code}"
        )
        raise AuthError(f"the token endpoint refused the client credentials: {reason}")
    return Credentials(
        kind="client",
        token=str(payload["access_token"]),
        expires_at=time.time() + int(payload.get("expires_in") or 3600),
        token_url=token_url,
        client_id=client_id,
        scopes=scopes,
    )


class TokenProvider:
    """A valid bearer token on demand: the saved one, refreshed (and saved again) when it expires.

    A program configured with client credentials gets its token without an explicit login.
    """

    def __init__(
        self, store: CredentialStore, settings: Settings, session: requests.Session | None = None
    ) -> None:
        self._store = store
        self._settings = settings
        self._http = session or requests.Session()
        self._credentials = store.load()

    def bearer(self) -> str:
        credentials = self._credentials
        if credentials is None or credentials.expired():
            credentials = self.renew()
        return credentials.token

    def renew(self) -> Credentials:
        current = self._credentials
        settings = self._settings
        if current is not None and current.kind == "user" and current.refresh_token:
            login = CognitoLogin(
                current.cognito_endpoint or settings.cognito_url,
                current.user_pool_client_id or settings.user_pool_client_id,
                self._http,
            )
            try:
                fresh = login.refresh(current)
            except AuthError as exc:
                raise AuthError("your session has ended: run `batchscore login` again") from exc
        elif settings.token_url and settings.client_id and settings.client_secret:
            fresh = client_credentials(
                settings.token_url,
                settings.client_id,
                settings.client_secret,
                settings.scopes,
                self._http,
            )
        else:
            raise AuthError("not logged in: run `batchscore login`")
        fresh = replace(fresh, api_url=settings.api_url or (current.api_url if current else ""))
        self._store.save(fresh)
        self._credentials = fresh
        return fresh


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        payload = answer.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
