"""Messages that exhausted their receives: their jobs end FAILED, with the reason."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from batchscore_core.errors import InvalidTransition, JobAlreadyExists, JobNotFound
from batchscore_core.keys import (
    DroppedInput,
    UnknownKey,
    UploadedInput,
    dropped_job_id,
    parse_input_key,
)
from batchscore_core.models import Job, JobError, JobStatus, iso, utc_now
from batchscore_core.notify import Announcer
from batchscore_core.observability import logger, metrics
from batchscore_core.outbox import new_drop_job, write_error_report
from batchscore_core.s3_events import StoredObject
from batchscore_core.storage import DataStore
from batchscore_core.store import JobStore

RETRIES_EXHAUSTED = "retries_exhausted"


def exhausted_error(attempts: int, last_error: JobError | None) -> JobError:
    message = f"gave up after {attempts} attempts"
    if last_error is not None and last_error.message:
        message += f": {last_error.message}"
    return JobError(code=RETRIES_EXHAUSTED, message=message)


def fail_job(
    job_id: str, *, store: JobStore, data: DataStore, announcer: Announcer, receive_count: int
) -> Job | None:
    """FAILED from any state that is not final; a final job is left as it is."""
    try:
        job = store.get(job_id)
    except JobNotFound:
        logger.warning("dead-lettered job no longer exists", extra={"job_id": job_id})
        return None
    logger.set_correlation_id(job_id)
    if job.status.is_final:
        logger.info("dead-lettered job already ended", extra={"status": job.status.value})
        return job
    error = exhausted_error(job.attempts or receive_count, job.error)
    changes: dict[str, object] = {"error": error, "finished_at": iso(utc_now())}
    report_key = write_error_report(data, job, error)
    if report_key:
        changes["error_report_key"] = report_key
    try:
        failed = store.advance(
            job_id, JobStatus.FAILED, changes=changes, remove=("lease_expires_at",)
        )
    except (InvalidTransition, JobNotFound):
        logger.info("dead-lettered job changed meanwhile: left alone")
        return None
    _failed(failed, announcer)
    return failed


def fail_upload(
    obj: StoredObject,
    *,
    store: JobStore,
    data: DataStore,
    announcer: Announcer,
    receive_count: int,
) -> Job | None:
    """An S3 event that ingest never got through; a drop without a job gets one, FAILED."""
    try:
        target = parse_input_key(obj.key)
    except UnknownKey:
        logger.warning("dead-lettered event for a key outside the inputs", extra={"key": obj.key})
        return None
    if isinstance(target, UploadedInput):
        return fail_job(
            target.job_id, store=store, data=data, announcer=announcer, receive_count=receive_count
        )
    job_id = dropped_job_id(obj.bucket, obj.key, obj.version_tag)
    try:
        store.get(job_id)
    except JobNotFound:
        return _create_failed_drop(
            job_id,
            obj,
            target,
            store=store,
            data=data,
            announcer=announcer,
            receive_count=receive_count,
        )
    return fail_job(
        job_id, store=store, data=data, announcer=announcer, receive_count=receive_count
    )


def _create_failed_drop(
    job_id: str,
    obj: StoredObject,
    target: DroppedInput,
    *,
    store: JobStore,
    data: DataStore,
    announcer: Announcer,
    receive_count: int,
) -> Job | None:
    """A drop whose job was never created: create it FAILED, so that it shows in the API."""
    logger.set_correlation_id(job_id)
    error = exhausted_error(receive_count, None)
    job = new_drop_job(
        job_id, obj, target, JobStatus.FAILED, finished_at=iso(utc_now()), error=error
    )
    job.error_report_key = write_error_report(data, job, error)
    try:
        created = store.create(job)
    except JobAlreadyExists:
        # Ingest created it meanwhile: fail that one instead.
        return fail_job(
            job_id, store=store, data=data, announcer=announcer, receive_count=receive_count
        )
    _failed(created, announcer)
    return created


def _failed(job: Job, announcer: Announcer) -> None:
    metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("job failed", extra={"error": job.error.model_dump() if job.error else None})
    announcer.announce(job)
