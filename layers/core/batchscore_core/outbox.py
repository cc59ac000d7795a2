"""Drop-folder outputs: what a partner system finds in `outbox/<tenant>/` next to its drop."""

from __future__ import annotations

from typing import Any

from batchscore_core.keys import DroppedInput, UnknownKey, outbox_errors_key, parse_input_key
from batchscore_core.models import Job, JobError
from batchscore_core.storage import DataStore


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
