"""Messages that exhausted their receives: their jobs end FAILED, with the reason."""

from __future__ import annotations

from batchscore_core.errors import JobNotFound
from batchscore_core.models import Job, JobError
from batchscore_core.observability import logger
from batchscore_core.origins import job_of_object
from batchscore_core.s3_events import StoredObject
from batchscore_core.transitions import Transitions

RETRIES_EXHAUSTED = "retries_exhausted"


def exhausted_error(attempts: int, last_error: JobError | None) -> JobError:
    message = f"gave up after {attempts} attempts"
    if last_error is not None and last_error.message:
        message += f": {last_error.message}"
    return JobError(code=RETRIES_EXHAUSTED, message=message)


def fail_job(job_id: str, *, life: Transitions, receive_count: int) -> Job | None:
    """FAILED from any state that is not final; a final job is left as it is."""
    try:
        job = life.store.get(job_id)
    except JobNotFound:
        logger.warning("dead-lettered job no longer exists", extra={"job_id": job_id})
        return None
    return _fail(job, life=life, receive_count=receive_count)


def fail_upload(obj: StoredObject, *, life: Transitions, receive_count: int) -> Job | None:
    """An S3 event that ingest never got through; a drop without a job gets one, FAILED."""
    found = job_of_object(obj, life.store)
    if found is None:
        return None
    if found.stored:
        return _fail(found.job, life=life, receive_count=receive_count)
    logger.set_correlation_id(found.job.job_id)
    created = life.fail_unstarted_drop(found.job, exhausted_error(receive_count, None))
    if created is not None:
        return created
    # Ingest created it meanwhile: fail that one instead.
    return fail_job(found.job.job_id, life=life, receive_count=receive_count)


def _fail(job: Job, *, life: Transitions, receive_count: int) -> Job | None:
    logger.set_correlation_id(job.job_id)
    if job.status.is_final:
        logger.info("dead-lettered job already ended", extra={"status": job.status.value})
        return job
    return life.fail(job, exhausted_error(job.attempts or receive_count, job.error))
