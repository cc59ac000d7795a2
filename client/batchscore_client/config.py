"""Settings for the client: command-line flags, then BATCHSCORE_* variables, then a config file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import requests

from batchscore_client.credentials import Endpoints
from batchscore_client.errors import ConfigError

CONFIG_FILENAME = "config.toml"
CREDENTIALS_FILENAME = "credentials.json"


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$BATCHSCORE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/batchscore`, else `~/.config/batchscore`."""
    env = os.environ if env is None else env
    if env.get("BATCHSCORE_CONFIG_DIR"):
        return Path(env["BATCHSCORE_CONFIG_DIR"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "batchscore"


@dataclass(frozen=True, kw_only=True)
class Settings(Endpoints):
    """Each field is set by `--<field>`, `BATCHSCORE_<FIELD>` or `<field> = ...` in config.toml."""

    region: str = ""  # without cognito_endpoint: Cognito's regional address
    client_secret: str = ""
    # The web page's address: its config.json fills api_url, cognito_endpoint, user_pool_client_id.
    web_url: str = ""

    @property
    def cognito_url(self) -> str:
        if self.cognito_endpoint:
            return self.cognito_endpoint
        if self.region:
            return f"https://cognito-idp.{self.region}.amazonaws.com/"
        return ""

    def merged(self, **values: str | None) -> Settings:
        """A copy with every non-empty value in `values` taking precedence."""
        known = {f.name for f in fields(self)}
        chosen = {k: v for k, v in values.items() if k in known and v}
        return Settings(**{**self.__dict__, **chosen})

    def require(self, *names: str) -> None:
        missing = [n for n in names if not getattr(self, n)]
        if missing:
            hints = ", ".join(f"--{n.replace('_', '-')} / BATCHSCORE_{n.upper()}" for n in missing)
            raise ConfigError(f"missing setting: {hints} (or set it in {CONFIG_FILENAME})")


def _from_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return {key: str(value) for key, value in document.items() if not isinstance(value, dict)}


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    return {f.name: env.get(f"BATCHSCORE_{f.name.upper()}", "") for f in fields(Settings)}


def _from_web_page(web_url: str, timeout: float = 10.0) -> dict[str, str]:
    """The same config.json the web page loads, written by `make run` or the deploy."""
    url = web_url.rstrip("/") + "/config.json"
    try:
        answer = requests.get(url, timeout=timeout)
        answer.raise_for_status()
        document: Any = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise ConfigError(f"cannot read {url}: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"{url} is not a JSON object")
    return {
        "api_url": str(document.get("apiUrl") or ""),
        "cognito_endpoint": str(document.get("cognitoEndpoint") or ""),
        "user_pool_client_id": str(document.get("userPoolClientId") or ""),
        "region": str(document.get("region") or ""),
    }


def load_settings(
    flags: Mapping[str, str | None] | None = None,
    env: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> Settings:
    """Lowest to highest precedence: what the last `login` remembered, the web page's
    config.json (when a web URL is set), config.toml, BATCHSCORE_* variables, flags."""
    env = os.environ if env is None else env
    layers: list[Mapping[str, str | None]] = [
        remembered or {},
        _from_file(config_dir(env) / CONFIG_FILENAME),
        _from_env(env),
        flags or {},
    ]
    settings = Settings()
    for layer in layers:
        settings = settings.merged(**layer)
    if settings.web_url:
        layers.insert(1, _from_web_page(settings.web_url))
        settings = Settings()
        for layer in layers:
            settings = settings.merged(**layer)
    return settings
