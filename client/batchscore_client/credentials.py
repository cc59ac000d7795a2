"""Saved tokens: `credentials.json` in the config directory, readable by its owner only (0600)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

REFRESH_MARGIN_SECONDS = 60


@dataclass(frozen=True, kw_only=True)
class Endpoints:
    """Where the API and the sign-in are, and who signs in: the settings (batchscore_client.config)
    a saved login remembers, enough to refresh it without the original flags."""

    api_url: str = ""
    # People: Cognito's JSON API (USER_PASSWORD_AUTH). Locally, the emulator's address.
    cognito_endpoint: str = ""
    user_pool_client_id: str = ""
    username: str = ""
    # Partner programs: OAuth2 client credentials at the user pool domain's /oauth2/token.
    token_url: str = ""
    client_id: str = ""
    scopes: str = ""

    def remembered_settings(self) -> dict[str, str]:
        values = {f.name: getattr(self, f.name) for f in fields(Endpoints)}
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True, kw_only=True)
class Credentials(Endpoints):
    """`kind` is `user` (Cognito user pool) or `client` (OAuth2 client credentials)."""

    kind: str
    token: str  # what goes after `Bearer`: the ID token for people, the access token for programs
    expires_at: float
    refresh_token: str = ""

    def expired(self, now: float | None = None) -> bool:
        current = time.time() if now is None else now
        return current >= self.expires_at - REFRESH_MARGIN_SECONDS


class CredentialStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Credentials | None:
        try:
            raw: Any = json.loads(self.path.read_text(encoding="utf-8"))
            return Credentials(**raw)
        except (OSError, ValueError, TypeError):
            return None  # missing or unreadable: the caller asks to log in

    def save(self, credentials: Credentials) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        # created 0600 from the start, so the token is never readable by others, even briefly
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(asdict(credentials), handle, indent=2)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
