from __future__ import annotations

import pytest
import webhook_handler
from webhook_secrets import NoSecrets, SsmSecrets, StaticSecrets

from batchscore_core.settings import get_settings


@pytest.fixture
def function_env(monkeypatch):
    """The variables the template gives WebhookFunction; each test adds the secret source."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("JOBS_TABLE_NAME", "jobs")
    monkeypatch.setenv("DATA_BUCKET_NAME", "data")
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/webhooks")
    monkeypatch.delenv("WEBHOOK_SECRETS_PARAMETER", raising=False)
    monkeypatch.delenv("BATCHSCORE_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    webhook_handler.webhook_adapters.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    webhook_handler.webhook_adapters.cache_clear()


def test_the_ssm_parameter_is_the_secret_source_on_aws(function_env):
    # Given
    function_env.setenv("WEBHOOK_SECRETS_PARAMETER", "/batchscore/dev/webhook-secrets")

    # When
    secrets = webhook_handler.webhook_adapters().secrets

    # Then
    assert isinstance(secrets, SsmSecrets)


def test_the_local_secret_wins_so_make_run_needs_no_ssm(function_env):
    # Given both, as the local runtime sees the template's parameter name
    function_env.setenv("WEBHOOK_SECRETS_PARAMETER", "/batchscore/dev/webhook-secrets")
    function_env.setenv("BATCHSCORE_WEBHOOK_SECRET", "local-secret")

    # When
    secrets = webhook_handler.webhook_adapters().secrets

    # Then
    assert isinstance(secrets, StaticSecrets)
    assert secrets.secret_for("any-owner") == b"local-secret"


def test_without_any_secret_source_every_delivery_is_refused(function_env):
    # Given neither variable

    # When
    secrets = webhook_handler.webhook_adapters().secrets

    # Then
    assert isinstance(secrets, NoSecrets)
