"""A finished API job as the tests that deliver, announce or log one need it (one builder)."""

from __future__ import annotations

from typing import Any

from batchscore_core.models import Job, JobSource, JobStatus, Webhook

CREATED_AT = "2026-11-22T04:00:00.000Z"
FINISHED_AT = "2026-11-22T04:01:00.000Z"


def finished_api_job(
    job_id: str,
    owner: str,
    *,
    webhook: Webhook | None = None,
    status: JobStatus = JobStatus.SUCCEEDED,
    rows: int | None = None,
    finished: bool = True,
    **fields: Any,
) -> Job:
    """`rows`: rows_total and rows_done; `finished`: whether finished_at is set; `fields`: any
    other of the Job's fields (model_name, drift, ...)."""
    return Job(
        job_id=job_id,
        owner=owner,
        status=status,
        filename="scores.csv",
        source=JobSource.API,
        created_at=CREATED_AT,
        updated_at=FINISHED_AT,
        finished_at=FINISHED_AT if finished else None,
        input_key=f"uploads/{owner}/{job_id}/input.csv",
        rows_total=rows,
        rows_done=rows or 0,
        webhook=webhook,
        **fields,
    )
