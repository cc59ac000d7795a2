"""Drop-folder outputs: what a partner system finds in `outbox/<tenant>/` next to its drop."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from batchscore_core.errors import InvalidTransition, JobNotFound
from batchscore_core.keys import DroppedInput, UnknownKey, outbox_errors_key, parse_input_key
from batchscore_core.models import Job, JobError, JobSource, JobStatus, iso, utc_now
from batchscore_core.notify import Announcer
from batchscore_core.observability import logger, metrics
from batchscore_core.s3_events import StoredObject
from batchscore_core.storage import DataStore
from batchscore_core.store import JobStore


def dropped_input(job: Job) -> DroppedInput | None:
    """The drop that started this job, or None for a web or API job."""
    try:
        target = parse_input_key(job.input_key)
    except UnknownKey:
        return None
    return target if isinstance(target, DroppedInput) else None


def error_report(job: Job, error: JobError) -> dict[str, Any]:
    return {"job_id": job.job_id, "source_key": job.input_key, "error": error.model_dump()}


def write_error_report(data: DataStore, job: Job, error: JobError) -> str | None:
    """`<path>.errors.json` in the outbox for a drop-folder job; None (nothing written) otherwise."""
    dropped = dropped_input(job)
    if dropped is None:
        return None
    key = outbox_errors_key(dropped)
    data.put_json(key, error_report(job, error))
    return key


def new_drop_job(
    job_id: str, obj: StoredObject, target: DroppedInput, status: JobStatus, **fields: Any
) -> Job:
    """The job a drop-folder object starts, owned by its tenant (ingest, or the DLQ for a drop
    ingest never got through)."""
    now = iso(utc_now())
    return Job(
        job_id=job_id,
        owner=target.tenant,
        status=status,
        filename=target.filename,
        source=JobSource.DROPBOX,
        created_at=now,
        updated_at=now,
        input_key=obj.key,
        input_version_id=obj.version_id,
        **fields,
    )


def reject(
    job: Job,
    error: JobError,
    *,
    from_state: JobStatus,
    store: JobStore,
    data: DataStore,
    announcer: Announcer,
    changes: dict[str, Any] | None = None,
) -> Job | None:
    """REJECTED with `error` (and the drop's `.errors.json`), announced; None when another
    delivery moved the job first."""
    fields: dict[str, Any] = {**(changes or {}), "error": error, "finished_at": iso(utc_now())}
    report_key = write_error_report(data, job, error)
    if report_key:
        fields["error_report_key"] = report_key
    try:
        rejected = store.advance(
            job.job_id,
            JobStatus.REJECTED,
            from_states={from_state},
            changes=fields,
            remove=("lease_expires_at",),
        )
    except (InvalidTransition, JobNotFound):
        logger.info(f"job left {from_state.value} before it was rejected")
        return None
    metrics.add_metric(name="JobsRejected", unit=MetricUnit.Count, value=1)
    logger.info("job rejected", extra={"error_code": error.code, "from_state": from_state.value})
    announcer.announce(rejected)
    return rejected
