from __future__ import annotations

import pytest
import webhook_handler

from batchscore_core.settings import get_settings
from batchscore_core.webhook_secrets import NoSecrets, ParameterSecrets


@pytest.fixture
def function_env(monkeypatch):
    """The variables the template gives WebhookFunction; each test adds the secret source."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("JOBS_TABLE_NAME", "jobs")
    monkeypatch.setenv("DATA_BUCKET_NAME", "data")
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/webhooks")
    monkeypatch.delenv("WEBHOOK_SECRETS_PARAMETER", raising=False)
    get_settings.cache_clear()
    webhook_handler.webhook_adapters.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    webhook_handler.webhook_adapters.cache_clear()


def test_the_ssm_parameter_is_the_secret_source(function_env):
    # Given
    function_env.setenv("WEBHOOK_SECRETS_PARAMETER", "/batchscore/dev/webhook-secrets")

    # When
    secrets = webhook_handler.webhook_adapters().secrets

    # Then
    assert isinstance(secrets, ParameterSecrets)


def test_without_a_parameter_every_delivery_is_refused(function_env):
    # Given no parameter name

    # When
    secrets = webhook_handler.webhook_adapters().secrets

    # Then
    assert isinstance(secrets, NoSecrets)
