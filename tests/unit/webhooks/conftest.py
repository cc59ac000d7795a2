from __future__ import annotations

import pytest

from batchscore_core.models import Job, JobSource, JobStatus, Webhook

JOB_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def finished_job() -> Job:
    return Job(
        job_id=JOB_ID,
        owner="partner-client-id",
        status=JobStatus.SUCCEEDED,
        filename="scores.csv",
        source=JobSource.API,
        created_at="2026-11-22T04:00:00.000Z",
        updated_at="2026-11-22T04:01:00.000Z",
        finished_at="2026-11-22T04:01:00.000Z",
        input_key=f"uploads/partner-client-id/{JOB_ID}/input.csv",
        rows_total=3,
        rows_done=3,
        webhook=Webhook(url="https://partner.example/hooks", secret_id="partner-secret-id"),
    )
