from __future__ import annotations

from batchscore_core.adapters import announcer
from batchscore_core.models import Job, JobStatus, Webhook
from tests.jobs_support import finished_api_job

JOB_ID = "00112233445566778899aabbccddeeff"


def finished_job(webhook: Webhook | None) -> Job:
    return finished_api_job(
        JOB_ID, "partner-client", status=JobStatus.FAILED, finished=False, webhook=webhook
    )


def test_announcing_a_finished_job_queues_its_first_webhook_attempt(stack, webhook_queue):
    # Given the announcer every function builds from the template's environment
    job = finished_job(Webhook(url="https://partner.example/hooks"))

    # When
    announcer().announce(job)

    # Then
    assert stack.message_bodies(webhook_queue) == [{"job_id": JOB_ID, "attempt": 1}]


def test_announcing_a_job_without_callback_queues_nothing(stack, webhook_queue):
    # Given
    job = finished_job(None)

    # When
    announcer().announce(job)

    # Then
    assert stack.message_bodies(webhook_queue) == []
