"""Per-owner webhook signing secrets: a JSON map in an SSM SecureString, read with Powertools.

One secret per owner (partner client id or user `sub`), nothing shared: an owner without an
entry cannot have webhooks (POST /jobs says so), and a `*` entry is refused as a whole.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

DEFAULT_MAX_AGE_SECONDS = 300
SHARED_KEY = "*"


class SecretNotFound(LookupError):
    """No signing secret for this owner: its webhooks cannot be signed."""

    def __init__(self, owner: str) -> None:
        super().__init__("no webhook signing secret is registered for this owner")
        self.owner = owner


class SecretsUnavailable(RuntimeError):
    """The secrets map could not be read (missing parameter, denied, malformed)."""


class SecretSource(Protocol):
    def secret_for(self, owner: str) -> bytes: ...


def parse_secrets(document: str | bytes | dict[str, Any]) -> dict[str, bytes]:
    """`{"<owner>": "<secret>", ...}`: non-empty strings, and no shared `*` entry."""
    try:
        raw: Any = json.loads(document) if isinstance(document, str | bytes) else document
    except ValueError as exc:
        raise SecretsUnavailable("the webhook secrets are not JSON") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and key and isinstance(value, str) and value
        for key, value in raw.items()
    ):
        raise SecretsUnavailable("the webhook secrets must be a JSON object of non-empty strings")
    if SHARED_KEY in raw:
        raise SecretsUnavailable("a shared '*' webhook secret is not allowed: one per owner")
    return {key: value.encode() for key, value in raw.items()}


class ParameterSecrets:
    """The map in an SSM SecureString, cached `max_age` seconds (edits show within that)."""

    def __init__(
        self,
        parameter_name: str,
        *,
        max_age: int = DEFAULT_MAX_AGE_SECONDS,
        provider: SSMProvider | None = None,
    ) -> None:
        self._name = parameter_name
        self._max_age = max_age
        self._provider = provider

    def secret_for(self, owner: str) -> bytes:
        secret = self._secrets().get(owner)
        if secret is None:
            raise SecretNotFound(owner)
        return secret

    def _secrets(self) -> dict[str, bytes]:
        if self._provider is None:
            self._provider = SSMProvider()  # its boto3 client honours AWS_ENDPOINT_URL
        try:
            value = self._provider.get(self._name, max_age=self._max_age, decrypt=True)
        except GetParameterError as exc:
            raise SecretsUnavailable(f"cannot read the parameter {self._name}") from exc
        if not isinstance(value, str | bytes):
            raise SecretsUnavailable(f"the parameter {self._name} is not text")
        return parse_secrets(value)


class StaticSecrets:
    """A fixed map (tests)."""

    def __init__(self, secrets: dict[str, bytes]) -> None:
        self._secrets = dict(secrets)

    def secret_for(self, owner: str) -> bytes:
        if owner not in self._secrets:
            raise SecretNotFound(owner)
        return self._secrets[owner]


class NoSecrets:
    """No parameter configured: every owner is refused."""

    def secret_for(self, owner: str) -> bytes:
        raise SecretNotFound(owner)


def secret_source(parameter_name: str, *, max_age: int = DEFAULT_MAX_AGE_SECONDS) -> SecretSource:
    return ParameterSecrets(parameter_name, max_age=max_age) if parameter_name else NoSecrets()
