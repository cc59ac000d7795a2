"""A seeded registry under moto, with the training queues and TrainFunction's handler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import train_check

from batchscore_core import training_api
from batchscore_core.settings import get_settings
from batchscore_core.training_trigger import clear_training_adapters
from infra.local.seed_models import Registry
from tests.integration.moto_stack import Queue, Stack


def stack_queue(stack: Stack, suffix: str) -> Queue:
    urls = stack.sqs.list_queues()["QueueUrls"]
    url = next(u for u in urls if u.endswith(suffix))
    arn = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Queue(url=url, arn=arn["Attributes"]["QueueArn"])


def clear_training_caches() -> None:
    get_settings.cache_clear()
    clear_training_adapters()
    training_api.training_files.cache_clear()
    train_check.training_files.cache_clear()


@pytest.fixture
def training_queue(stack: Stack) -> Queue:
    return stack_queue(stack, "-trainingqueue")


@pytest.fixture
def training_data_queue(stack: Stack) -> Queue:
    return stack_queue(stack, "-trainingdataqueue")


@pytest.fixture(autouse=True)
def trained(
    registry: Registry, training_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Registry]:
    """RegistryFunction's TRAINING_QUEUE_URL set; every training adapter built afresh."""
    monkeypatch.setenv("TRAINING_QUEUE_URL", training_queue.url)
    clear_training_caches()
    yield registry
    clear_training_caches()
