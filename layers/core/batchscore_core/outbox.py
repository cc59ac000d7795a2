"""Drop-folder error reports: what a partner system finds in `outbox/<tenant>/` when its drop
was rejected or failed (the job knows the report's key from its creation)."""

from __future__ import annotations

from typing import Any

from batchscore_core.models import Job, JobError
from batchscore_core.storage import DataStore


def error_report(job: Job, error: JobError) -> dict[str, Any]:
    return {"job_id": job.job_id, "source_key": job.input_key, "error": error.model_dump()}


def write_error_report(data: DataStore, job: Job, error: JobError) -> str | None:
    """Writes the report if the job has one (drop-folder jobs); answers its version id."""
    if job.error_report_key is None:
        return None
    return data.put_json(job.error_report_key, error_report(job, error))
