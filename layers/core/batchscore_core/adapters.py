"""The adapters a handler uses, built once per container from the settings, on first use.

Never at import time: environment and `mock_aws` fixtures must take effect first.
"""

from __future__ import annotations

from functools import lru_cache

from batchscore_core.drift_log import DriftLog
from batchscore_core.events import JobEvents
from batchscore_core.model_events import ModelEvents
from batchscore_core.model_files import ModelFiles
from batchscore_core.notify import Announcer
from batchscore_core.queue import JobQueue
from batchscore_core.registry import ModelRegistry
from batchscore_core.settings import get_settings
from batchscore_core.storage import DataStore
from batchscore_core.store import JobStore
from batchscore_core.transitions import Transitions
from batchscore_core.webhook_queue import WebhookQueue
from batchscore_core.webhook_secrets import SecretSource, secret_source


@lru_cache(maxsize=1)
def job_store() -> JobStore:
    settings = get_settings()
    return JobStore(settings.jobs_table_name, ttl_days=settings.job_ttl_days)


@lru_cache(maxsize=1)
def data_store() -> DataStore:
    return DataStore(get_settings().data_bucket_name)


@lru_cache(maxsize=1)
def job_queue() -> JobQueue:
    return JobQueue(get_settings().jobs_queue_url)


@lru_cache(maxsize=1)
def announcer() -> Announcer:
    """EventBridge always; webhooks when the function has the webhook queue."""
    settings = get_settings()
    webhooks = WebhookQueue(settings.webhook_queue_url) if settings.webhook_queue_url else None
    return Announcer(JobEvents(settings.event_bus_name), webhooks)


@lru_cache(maxsize=1)
def transitions() -> Transitions:
    """The job's transitions, with every adapter their side effects need."""
    return Transitions(job_store(), announcer(), data=data_store(), queue=job_queue())


@lru_cache(maxsize=1)
def model_registry() -> ModelRegistry:
    return ModelRegistry(get_settings().models_table_name)


@lru_cache(maxsize=1)
def model_files() -> ModelFiles:
    return ModelFiles(get_settings().data_bucket_name)


@lru_cache(maxsize=1)
def model_events() -> ModelEvents:
    return ModelEvents(get_settings().event_bus_name)


@lru_cache(maxsize=1)
def drift_log() -> DriftLog:
    return DriftLog(get_settings().models_table_name)


@lru_cache(maxsize=1)
def webhook_secrets() -> SecretSource:
    settings = get_settings()
    return secret_source(
        settings.webhook_secrets_parameter, max_age=settings.webhook_secrets_max_age_seconds
    )


def clear_adapters() -> None:
    """Forget every built adapter (tests, after changing the environment)."""
    for factory in (
        job_store,
        data_store,
        job_queue,
        announcer,
        transitions,
        model_registry,
        model_files,
        model_events,
        drift_log,
        webhook_secrets,
    ):
        factory.cache_clear()
