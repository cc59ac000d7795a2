"""Partner signing secrets: a JSON map in an SSM SecureString, or one local secret for `make run`."""

from __future__ import annotations

import json
from typing import Any, Protocol

import boto3
from botocore.exceptions import ClientError

WILDCARD = "*"


class SecretNotFound(LookupError):
    """No signing secret for this owner (and no `*` entry): the webhook cannot be signed."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no webhook signing secret for {key}")
        self.key = key


class SecretsUnavailable(RuntimeError):
    """The secrets map could not be read (missing parameter, denied, malformed)."""


class SecretSource(Protocol):
    def secret_for(self, key: str) -> bytes: ...


def parse_secrets(document: str | bytes) -> dict[str, bytes]:
    """`{"<owner or secret id>": "<secret>", "*": "<fallback>"}`: non-empty strings only."""
    try:
        raw: Any = json.loads(document)
    except ValueError as exc:
        raise SecretsUnavailable("the webhook secrets are not JSON") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value for key, value in raw.items()
    ):
        raise SecretsUnavailable("the webhook secrets must be a JSON object of non-empty strings")
    return {key: value.encode() for key, value in raw.items()}


def _lookup(secrets: dict[str, bytes], key: str) -> bytes:
    secret = secrets.get(key) or secrets.get(WILDCARD)
    if secret is None:
        raise SecretNotFound(key)
    return secret


class SsmSecrets:
    """Reads the parameter once per container; partners are added by editing the parameter."""

    def __init__(self, parameter_name: str, client: Any | None = None) -> None:
        self._name = parameter_name
        self._client: Any = client or boto3.client("ssm")
        self._secrets: dict[str, bytes] | None = None

    def secret_for(self, key: str) -> bytes:
        if self._secrets is None:
            self._secrets = self._load()
        return _lookup(self._secrets, key)

    def _load(self) -> dict[str, bytes]:
        try:
            answer = self._client.get_parameter(Name=self._name, WithDecryption=True)
        except ClientError as exc:
            raise SecretsUnavailable(f"cannot read the parameter {self._name}") from exc
        return parse_secrets(answer["Parameter"]["Value"])


class StaticSecrets:
    """A fixed map: the local runtime's single secret (`BATCHSCORE_WEBHOOK_SECRET`), or tests."""

    def __init__(self, secrets: dict[str, bytes]) -> None:
        self._secrets = dict(secrets)

    def secret_for(self, key: str) -> bytes:
        return _lookup(self._secrets, key)


class NoSecrets:
    """Neither a parameter nor a local secret is configured: every delivery is refused."""

    def secret_for(self, key: str) -> bytes:
        raise SecretNotFound(key)
