from __future__ import annotations

import pytest
from webhook_secrets import SecretsUnavailable, SsmSecrets


def test_secrets_are_read_from_the_ssm_securestring(ssm):
    # Given
    ssm.put_parameter(
        Name="/batchscore/webhook-secrets",
        Type="SecureString",
        Value='{"partner-client": "p-secret"}',
    )

    # When
    secret = SsmSecrets("/batchscore/webhook-secrets").secret_for("partner-client")

    # Then
    assert secret == b"p-secret"


def test_a_missing_parameter_is_reported_as_unavailable(ssm):
    # Given no parameter

    # When / Then
    with pytest.raises(SecretsUnavailable):
        SsmSecrets("/batchscore/absent").secret_for("partner-client")
