"""Ingest: an object arrived under uploads/ or dropbox/; admit its job (QUEUED) or reject it."""

from __future__ import annotations

from ingest_check import ModelChooser, check_upload, job_error, saved_column_map

from batchscore_core.keys import column_map_key
from batchscore_core.models import Job, JobError, JobSource, JobStatus
from batchscore_core.observability import logger
from batchscore_core.origins import job_of_object
from batchscore_core.registry_models import (
    ExplainNotSupported,
    ModelNotFound,
    VersionNotActive,
    VersionNotFound,
)
from batchscore_core.s3_events import StoredObject
from batchscore_core.storage import DataStore, ObjectMissing
from batchscore_core.transitions import Transitions
from batchscore_model.errors import InputRejected

INPUT_MISSING = JobError(code="input_missing", message="the uploaded file is no longer there")


def ingest(
    obj: StoredObject, *, life: Transitions, data: DataStore, choose_model: ModelChooser
) -> Job | None:
    """The job this object belongs to, after ingest; None when the object starts no job."""
    found = job_of_object(obj, life.store)
    if found is None:
        return None
    job = found.job if found.stored else life.open_drop(found.job)
    logger.set_correlation_id(job.job_id)
    logger.append_keys(job_id=job.job_id)

    if job.status is JobStatus.AWAITING_UPLOAD:
        return _admit(job, obj, life=life, data=data, choose_model=choose_model)
    if job.status is JobStatus.QUEUED and job.attempts == 0:
        # An earlier delivery queued the job but may have failed to send: send again (harmless).
        life.resend(job)
        return job
    logger.info("job already past ingest: event ignored", extra={"status": job.status.value})
    return job


def _admit(
    job: Job, obj: StoredObject, *, life: Transitions, data: DataStore, choose_model: ModelChooser
) -> Job | None:
    version_id = job.input_version_id or obj.version_id
    try:
        head = data.head(obj.key, version_id)
    except ObjectMissing:
        return life.reject(job, INPUT_MISSING)
    size = head.size
    # The emulator's events carry no versionId: the version just read stands in for it.
    version_id = version_id or head.version_id
    changes: dict[str, object] = {"size_bytes": size}
    if version_id:
        # A rejection pins it too: a retry scores the version that was rejected, not whatever
        # was posted later with a still-valid upload form.
        changes["input_version_id"] = version_id
    try:
        model = choose_model(job)
    except (ModelNotFound, VersionNotFound, VersionNotActive, ExplainNotSupported) as exc:
        error = JobError(code=exc.code, message=str(exc), details=exc.details)
        return life.reject(job, error, changes=changes)
    limits = model.limits
    column_map = job.column_map
    try:
        if job.source is JobSource.DROPBOX and column_map is None:
            column_map = saved_column_map(data, column_map_key(job.owner))
        check_upload(
            data,
            obj.key,
            version_id,
            size=size,
            filename=job.filename,
            limits=limits,
            column_map=column_map,
        )
    except InputRejected as exc:
        return life.reject(job, job_error(exc), changes=changes)
    # The version is fixed now (a drop names its model here): a promotion never changes it.
    chosen: dict[str, object] = {"model_name": model.ref.name, "model_version": model.ref.version}
    if column_map is not None:
        chosen["column_map"] = column_map  # a drop's saved mapping, as it was at the drop
    return life.admit(job, size_bytes=size, version_id=version_id, changes=chosen)
