from __future__ import annotations

import pytest
from webhook_secrets import (
    NoSecrets,
    SecretNotFound,
    SecretsUnavailable,
    StaticSecrets,
    parse_secrets,
)


def test_parse_secrets_reads_a_json_map_of_strings():
    # Given
    document = '{"client-a": "sa", "*": "fallback"}'

    # When
    secrets = parse_secrets(document)

    # Then
    assert secrets == {"client-a": b"sa", "*": b"fallback"}


@pytest.mark.parametrize("document", ["[]", '{"a": 1}', '{"a": ""}', "not json"])
def test_parse_secrets_refuses_anything_else(document):
    # Given a document that is not a map of non-empty strings

    # When / Then
    with pytest.raises(SecretsUnavailable):
        parse_secrets(document)


def test_the_wildcard_entry_signs_for_unlisted_owners():
    # Given
    secrets = StaticSecrets({"*": b"local"})

    # When
    secret = secrets.secret_for("anyone")

    # Then
    assert secret == b"local"


def test_an_unlisted_owner_without_wildcard_has_no_secret():
    # Given
    secrets = StaticSecrets({"client-a": b"sa"})

    # When / Then
    with pytest.raises(SecretNotFound):
        secrets.secret_for("client-b")


def test_no_secrets_configured_refuses_every_owner():
    # Given
    secrets = NoSecrets()

    # When / Then
    with pytest.raises(SecretNotFound):
        secrets.secret_for("client-a")
