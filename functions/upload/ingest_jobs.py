"""Ingest: an object arrived under uploads/ or dropbox/; admit its job (QUEUED) or reject it."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from ingest_check import IngestLimits, check_upload, job_error

from batchscore_core.errors import InvalidTransition, JobAlreadyExists, JobNotFound
from batchscore_core.keys import (
    DroppedInput,
    UnknownKey,
    UploadedInput,
    dropped_job_id,
    parse_input_key,
)
from batchscore_core.models import Job, JobError, JobStatus
from batchscore_core.notify import Announcer
from batchscore_core.observability import logger, metrics
from batchscore_core.outbox import new_drop_job, reject
from batchscore_core.queue import JobQueue
from batchscore_core.s3_events import StoredObject
from batchscore_core.storage import DataStore, ObjectMissing
from batchscore_core.store import JobStore
from batchscore_model.errors import InputRejected


def ingest(
    obj: StoredObject,
    *,
    store: JobStore,
    data: DataStore,
    queue: JobQueue,
    announcer: Announcer,
    limits: IngestLimits,
) -> Job | None:
    """The job this object belongs to, after ingest; None when the object starts no job."""
    try:
        target = parse_input_key(obj.key)
    except UnknownKey:
        logger.warning("object outside the input prefixes: dropped", extra={"key": obj.key})
        return None
    try:
        job = _job_for(target, obj, store)
    except JobNotFound:
        logger.warning("no job waits for this upload: dropped", extra={"key": obj.key})
        return None
    logger.set_correlation_id(job.job_id)

    if job.status is JobStatus.AWAITING_UPLOAD:
        return _admit(
            job, obj, store=store, data=data, queue=queue, announcer=announcer, limits=limits
        )
    if job.status is JobStatus.QUEUED and job.attempts == 0:
        # An earlier delivery queued the job but may have failed to send: send again (harmless).
        queue.send(job.job_id)
        return job
    logger.info("job already past ingest: event ignored", extra={"status": job.status.value})
    return job


def _job_for(target: UploadedInput | DroppedInput, obj: StoredObject, store: JobStore) -> Job:
    if isinstance(target, UploadedInput):
        job = store.get(target.job_id)
        if job.owner != target.owner or job.input_key != obj.key:
            raise JobNotFound(target.job_id)
        return job
    job_id = dropped_job_id(obj.bucket, obj.key, obj.version_tag)
    try:
        return store.create(new_drop_job(job_id, obj, target, JobStatus.AWAITING_UPLOAD))
    except JobAlreadyExists:
        logger.info("duplicate drop event: continuing with the existing job")
        return store.get(job_id)


def _admit(
    job: Job,
    obj: StoredObject,
    *,
    store: JobStore,
    data: DataStore,
    queue: JobQueue,
    announcer: Announcer,
    limits: IngestLimits,
) -> Job | None:
    version_id = job.input_version_id or obj.version_id
    try:
        head = data.head(obj.key, version_id)
    except ObjectMissing:
        error = JobError(code="input_missing", message="the uploaded file is no longer there")
        return reject(
            job,
            error,
            from_state=JobStatus.AWAITING_UPLOAD,
            store=store,
            data=data,
            announcer=announcer,
        )
    size = head.size
    # The emulator's events carry no versionId: the version just read stands in for it.
    version_id = version_id or head.version_id
    changes: dict[str, object] = {"size_bytes": size}
    if version_id:
        # A rejection pins it too: a retry scores the version that was rejected, not whatever
        # was posted later with a still-valid upload form.
        changes["input_version_id"] = version_id
    try:
        check_upload(data, obj.key, version_id, size=size, filename=job.filename, limits=limits)
    except InputRejected as exc:
        return reject(
            job,
            job_error(exc),
            from_state=JobStatus.AWAITING_UPLOAD,
            store=store,
            data=data,
            announcer=announcer,
            changes=changes,
        )

    try:
        queued = store.advance(
            job.job_id, JobStatus.QUEUED, from_states={JobStatus.AWAITING_UPLOAD}, changes=changes
        )
    except InvalidTransition:
        logger.info("another delivery admitted the job first")
        return None
    # Advance first, then send: a failed send fails the record, and its retry sends again.
    queue.send(queued.job_id)
    metrics.add_metric(name="JobsQueued", unit=MetricUnit.Count, value=1)
    logger.info("job queued", extra={"size_bytes": size})
    announcer.announce(queued)
    return queued
