"""Size is checked again when scoring, and a rejection pins the version that was rejected."""

from __future__ import annotations

from collections.abc import Callable

import process_handler
import pytest
import status_jobs
import upload_limits

from batchscore_core.adapters import transitions
from batchscore_core.keys import upload_key
from batchscore_core.models import Job, JobStatus
from batchscore_core.settings import get_settings
from batchscore_core.store import JobStore
from tests.integration.moto_stack import Stack
from tests.integration.pipeline.conftest import OWNER
from tests.integration.pipeline.pipeline_steps import ingest, process
from tests.integration.pipeline.samples import JOB_ID, csv_without, valid_csv


def retry(store: JobStore, job_id: str = JOB_ID) -> Job:
    """What POST /jobs/{id}/retry does."""
    return status_jobs.retry_job(transitions(), OWNER, job_id)


@pytest.fixture
def limit_of(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    def set_limit(max_bytes: int) -> None:
        monkeypatch.setenv("MAX_UPLOAD_BYTES", str(max_bytes))
        get_settings.cache_clear()
        upload_limits.ingest_limits.cache_clear()
        process_handler.run_settings.cache_clear()

    return set_limit


def test_a_retried_too_large_rejection_stays_rejected(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job], limit_of
) -> None:
    # Given a job rejected as too large at ingest
    limit_of(100)
    waiting_job(JOB_ID)
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv(20))
    ingest(stack)
    assert store.get(JOB_ID).error.code == "too_large"

    # When its owner retries it and the scorer takes it
    retry(store)
    process(stack)

    # Then the scorer checked the size again: rejected, not scored
    job = store.get(JOB_ID)
    assert job.status is JobStatus.REJECTED
    assert job.error is not None
    assert job.error.code == "too_large"
    assert job.result_version_id is None  # nothing was written


def test_a_rejection_pins_the_rejected_version_so_a_retry_scores_that_one(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a job rejected at ingest (a required column missing) ...
    waiting_job(JOB_ID)
    rejected_version = stack.put_object(upload_key(OWNER, JOB_ID), csv_without("mean radius"))
    ingest(stack)
    assert store.get(JOB_ID).status is JobStatus.REJECTED
    # ... and then a new file posted with the still-valid upload form
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv(5))
    ingest(stack)

    # When the rejected job is retried
    retry(store)
    process(stack)

    # Then the retry read the version that was rejected, which is rejected again
    job = store.get(JOB_ID)
    assert job.input_version_id == rejected_version
    assert job.status is JobStatus.REJECTED
    assert job.error is not None
    assert job.error.code == "missing_columns"


def test_a_dropped_file_over_the_limit_is_rejected_at_ingest_with_a_report(
    stack: Stack, store: JobStore, limit_of
) -> None:
    # Given a drop-folder tenant writes a file over the size limit (IAM cannot cap its size)
    limit_of(100)
    stack.put_object("dropbox/acme/big.csv", valid_csv(20))

    # When it is ingested
    ingest(stack)

    # Then the job is REJECTED too_large, with the error report in the outbox
    (item,) = stack.dynamodb.Table(stack.table_name).scan()["Items"]
    job = store.get(str(item["job_id"]))
    assert (job.status, job.error.code if job.error else None) == (JobStatus.REJECTED, "too_large")
    report = stack.s3.get_object(Bucket=stack.bucket_name, Key="outbox/acme/big.errors.json")
    assert b"too_large" in report["Body"].read()
