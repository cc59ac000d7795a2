"""Pipeline tests: jobs as the status API would create them, inputs as users upload them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import process_handler
import pytest
import upload_limits

from batchscore_core.keys import upload_key
from batchscore_core.models import Job, JobSource, JobStatus, iso, utc_now
from batchscore_core.store import JobStore
from batchscore_model import loaded
from infra.local.seed_models import Registry
from tests.integration.moto_stack import Stack

OWNER = "user-1"


@pytest.fixture
def store(stack: Stack) -> JobStore:
    return JobStore(stack.table_name)


@pytest.fixture
def waiting_job(store: JobStore) -> Callable[..., Job]:
    """A web job AWAITING_UPLOAD, as POST /jobs leaves it."""

    def create(job_id: str, filename: str = "scores.csv") -> Job:
        now = iso(utc_now())
        return store.create(
            Job(
                job_id=job_id,
                owner=OWNER,
                status=JobStatus.AWAITING_UPLOAD,
                filename=filename,
                source=JobSource.WEB,
                created_at=now,
                updated_at=now,
                input_key=upload_key(OWNER, job_id),
            )
        )

    return create


@pytest.fixture(autouse=True)
def fresh_function_caches(registry: Registry) -> Iterator[None]:
    """Values the handlers cache per container, read again for each test's environment."""
    caches = (
        upload_limits.ingest_limits,
        process_handler.run_settings,
        process_handler.retrain_on_drift,
        loaded.bundle_cache,
    )
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()
