from __future__ import annotations

import pytest

from batchscore_core.webhook_secrets import (
    NoSecrets,
    SecretNotFound,
    SecretsUnavailable,
    StaticSecrets,
    parse_secrets,
)


def test_parse_secrets_reads_a_json_map_of_strings():
    # Given
    document = '{"client-a": "sa", "client-b": "sb"}'

    # When
    secrets = parse_secrets(document)

    # Then
    assert secrets == {"client-a": b"sa", "client-b": b"sb"}


@pytest.mark.parametrize("document", ["[]", '{"a": 1}', '{"a": ""}', '{"": "x"}', "not json"])
def test_parse_secrets_refuses_anything_else(document):
    # Given a document that is not a map of non-empty strings

    # When / Then
    with pytest.raises(SecretsUnavailable):
        parse_secrets(document)


def test_a_shared_wildcard_secret_is_refused_so_no_partner_can_sign_for_another():
    # Given the formerly documented {"*": secret}
    document = '{"client-a": "sa", "*": "shared"}'

    # When / Then
    with pytest.raises(SecretsUnavailable):
        parse_secrets(document)


def test_an_unlisted_owner_has_no_secret():
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
