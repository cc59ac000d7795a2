from __future__ import annotations

import pytest

from batchscore_core.models import JobStatus, Webhook
from batchscore_core.webhooks import deliver
from tests.integration.webhooks.webhook_support import SECRET, running_receiver
from tests.jobs_support import finished_api_job

JOB = finished_api_job(
    "abcdefabcdefabcdefabcdefabcdefab",
    "partner-client",
    status=JobStatus.REJECTED,
    webhook=Webhook(url="unused"),
    finished=False,
)


@pytest.mark.parametrize("status", [200, 202, 204])
def test_any_2xx_answer_counts_as_delivered(status):
    # Given a partner that accepts with this status
    with running_receiver(SECRET, statuses=[status]) as receiver:
        # When
        outcome = deliver(JOB, receiver.url, SECRET, allow_loopback=True)

    # Then
    assert (outcome.delivered, outcome.status, outcome.error) == (True, status, None)


@pytest.mark.parametrize("status", [302, 404, 500])
def test_redirects_and_errors_are_failed_attempts_with_their_status(status):
    # Given a partner that verifies the signature, then answers this status
    with running_receiver(SECRET, statuses=[status]) as receiver:
        # When
        outcome = deliver(JOB, receiver.url, SECRET, allow_loopback=True)

    # Then
    assert receiver.received[0].verified
    assert (outcome.delivered, outcome.status, outcome.error) == (False, status, f"HTTP {status}")


def test_another_secret_fails_the_receivers_verification():
    # Given
    with running_receiver(SECRET) as receiver:
        # When
        outcome = deliver(JOB, receiver.url, b"not-the-partners-secret", allow_loopback=True)

    # Then
    assert not receiver.received[0].verified
    assert outcome.status == 401
