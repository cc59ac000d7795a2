from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.parameters import SSMProvider

from batchscore_core.webhook_secrets import ParameterSecrets, SecretNotFound, SecretsUnavailable

NAME = "/batchscore/webhook-secrets"


def test_secrets_are_read_from_the_ssm_securestring(ssm):
    # Given
    ssm.put_parameter(Name=NAME, Type="SecureString", Value='{"partner-client": "p-secret"}')

    # When
    secret = ParameterSecrets(NAME, provider=SSMProvider(boto3_client=ssm)).secret_for(
        "partner-client"
    )

    # Then
    assert secret == b"p-secret"


def test_an_added_owner_is_seen_once_the_cache_is_older_than_max_age(ssm):
    # Given a source that cached the map without the new owner
    ssm.put_parameter(Name=NAME, Type="SecureString", Value='{"a": "sa"}')
    secrets = ParameterSecrets(NAME, max_age=0, provider=SSMProvider(boto3_client=ssm))
    with pytest.raises(SecretNotFound):
        secrets.secret_for("b")

    # When the operator adds the owner
    ssm.put_parameter(
        Name=NAME, Type="SecureString", Value='{"a": "sa", "b": "sb"}', Overwrite=True
    )

    # Then
    assert secrets.secret_for("b") == b"sb"


def test_a_missing_parameter_is_reported_as_unavailable(ssm):
    # Given no parameter

    # When / Then
    with pytest.raises(SecretsUnavailable):
        ParameterSecrets("/batchscore/absent", provider=SSMProvider(boto3_client=ssm)).secret_for(
            "partner-client"
        )
