"""Where a job comes from: the job each entry point creates, knowing from the start where its
input, result and error report live, and the one resolver from an S3 object to its job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from batchscore_core.errors import JobNotFound
from batchscore_core.keys import (
    DroppedInput,
    UnknownKey,
    UploadedInput,
    dropped_job_id,
    outbox_errors_key,
    outbox_result_key,
    parse_input_key,
    result_key,
    upload_key,
)
from batchscore_core.models import Job, JobSource, JobStatus, Webhook, iso, utc_now
from batchscore_core.observability import logger
from batchscore_core.registry_models import drop_model_reference
from batchscore_core.store import JobStore

if TYPE_CHECKING:  # Powertools' parser models are no status cold start's work
    from batchscore_core.s3_events import StoredObject


def new_upload_job(
    job_id: str, owner: str, filename: str, source: JobSource, webhook: Webhook | None = None
) -> Job:
    """A web or API job, AWAITING_UPLOAD of its CSV to `uploads/`; it has no error report."""
    now = iso(utc_now())
    return Job(
        job_id=job_id,
        owner=owner,
        status=JobStatus.AWAITING_UPLOAD,
        filename=filename,
        source=source,
        created_at=now,
        updated_at=now,
        input_key=upload_key(owner, job_id, filename),
        result_key=result_key(owner, job_id, filename),
        webhook=webhook,
    )


def new_drop_job(obj: StoredObject, target: DroppedInput, status: JobStatus, **fields: Any) -> Job:
    """The job a drop-folder object starts, owned by its tenant; its outputs go to the outbox.

    A first folder `@<model>[@<version>]` names the job's model (resolved at ingest).
    """
    now = iso(utc_now())
    reference = drop_model_reference(target.path)
    if reference is not None:
        name, _, version = reference.partition("@")
        fields = {"model_name": name, "model_version": version or None, **fields}
    return Job(
        job_id=dropped_job_id(obj.bucket, obj.key, obj.version_tag),
        owner=target.tenant,
        status=status,
        filename=target.filename,
        source=JobSource.DROPBOX,
        created_at=now,
        updated_at=now,
        input_key=obj.key,
        input_version_id=obj.version_id,
        result_key=outbox_result_key(target),
        error_report_key=outbox_errors_key(target),
        **fields,
    )


@dataclass(frozen=True)
class ObjectJob:
    """The job an input object belongs to. `stored` is False for a drop whose job does not
    exist yet: `job` is then the job the drop starts (AWAITING_UPLOAD), for the caller to
    create (ingest) or to end (the DLQ)."""

    job: Job
    stored: bool


def job_of_object(obj: StoredObject, store: JobStore) -> ObjectJob | None:
    """None (logged) for a key outside the inputs, or an upload no job waits for (or one under
    another owner's prefix)."""
    try:
        target: UploadedInput | DroppedInput = parse_input_key(obj.key)
    except UnknownKey:
        logger.warning("object outside the input prefixes: no job", extra={"key": obj.key})
        return None
    if isinstance(target, UploadedInput):
        try:
            job = store.get(target.job_id)
        except JobNotFound:
            job = None
        if job is None or job.owner != target.owner or job.input_key != obj.key:
            logger.warning("no job waits for this upload", extra={"key": obj.key})
            return None
        return ObjectJob(job, stored=True)
    new = new_drop_job(obj, target, JobStatus.AWAITING_UPLOAD)
    try:
        return ObjectJob(store.get(new.job_id), stored=True)
    except JobNotFound:
        return ObjectJob(new, stored=False)
