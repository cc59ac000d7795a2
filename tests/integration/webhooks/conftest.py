from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
import webhook_handler
from moto import mock_aws

from batchscore_core.settings import get_settings
from tests.integration.moto_stack import Queue, Stack
from tests.integration.webhooks.webhook_support import (
    OWNER,
    REGION,
    SECRET,
    Receiver,
    running_receiver,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver(SECRET) as state:
        yield state


@pytest.fixture
def webhook_queue(stack: Stack) -> Queue:
    """WebhookQueue of template.yaml (its URL is in every function's environment)."""
    url = stack.environment["WEBHOOK_QUEUE_URL"]
    arn = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Queue(url=url, arn=arn["Attributes"]["QueueArn"])


@pytest.fixture
def webhook_function(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """WebhookFunction's environment as a local stack has it: the owner's secret in the SSM
    parameter the template names, and loopback receivers allowed."""
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=stack.environment["WEBHOOK_SECRETS_PARAMETER"],
        Type="SecureString",
        Value=json.dumps({OWNER: SECRET.decode()}),
    )
    monkeypatch.setenv("ALLOW_LOOPBACK_CALLBACKS", "true")
    get_settings.cache_clear()
    webhook_handler.webhook_adapters.cache_clear()
    yield
    webhook_handler.webhook_adapters.cache_clear()


@pytest.fixture
def ssm() -> Iterator[object]:
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)
