from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
import webhook_handler
from moto import mock_aws

from batchscore_core.settings import get_settings
from tests.integration.moto_stack import Queue, Stack
from tests.integration.webhooks.webhook_support import REGION, SECRET, Receiver, running_receiver


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
    """WebhookFunction's environment, signing with the local-only secret instead of SSM."""
    monkeypatch.setenv("BATCHSCORE_WEBHOOK_SECRET", SECRET.decode())
    get_settings.cache_clear()
    webhook_handler.webhook_adapters.cache_clear()
    yield
    webhook_handler.webhook_adapters.cache_clear()


@pytest.fixture
def ssm() -> Iterator[object]:
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)
