from __future__ import annotations

import pytest

from batchscore_core.models import Job, Webhook
from tests.jobs_support import finished_api_job

JOB_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def finished_job() -> Job:
    return finished_api_job(
        JOB_ID,
        "partner-client-id",
        rows=3,
        webhook=Webhook(url="https://partner.example/hooks", secret_id="partner-secret-id"),
    )
