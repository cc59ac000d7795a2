from __future__ import annotations

from batchscore_core.models import JobStatus
from batchscore_core.notify import Announcer


class RecordingEvents:
    def __init__(self, fail: bool = False) -> None:
        self.published: list = []
        self.fail = fail

    def publish(self, job) -> None:
        if self.fail:
            raise RuntimeError("EventBridge is down")
        self.published.append(job.job_id)


class RecordingWebhookQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    def send(self, job_id: str, attempt: int = 1, **_: object) -> None:
        self.sent.append((job_id, attempt))


def test_a_finished_job_with_a_webhook_queues_its_first_attempt(finished_job):
    # Given
    queue = RecordingWebhookQueue()

    # When
    Announcer(RecordingEvents(), webhook_queue=queue).announce(finished_job)

    # Then
    assert queue.sent == [(finished_job.job_id, 1)]


def test_a_job_that_is_not_final_queues_no_webhook(finished_job):
    # Given
    queue = RecordingWebhookQueue()
    queued = finished_job.model_copy(update={"status": JobStatus.QUEUED})

    # When
    Announcer(RecordingEvents(), webhook_queue=queue).announce(queued)

    # Then
    assert queue.sent == []


def test_a_job_without_a_webhook_queues_nothing(finished_job):
    # Given
    queue = RecordingWebhookQueue()
    plain = finished_job.model_copy(update={"webhook": None})

    # When
    Announcer(RecordingEvents(), webhook_queue=queue).announce(plain)

    # Then
    assert queue.sent == []


def test_the_webhook_is_queued_even_when_the_event_cannot_be_published(finished_job):
    # Given
    queue = RecordingWebhookQueue()

    # When
    Announcer(RecordingEvents(fail=True), webhook_queue=queue).announce(finished_job)

    # Then
    assert queue.sent == [(finished_job.job_id, 1)]


def test_the_announcer_still_works_without_a_webhook_queue(finished_job):
    # Given
    events = RecordingEvents()

    # When
    Announcer(events).announce(finished_job)

    # Then
    assert events.published == [finished_job.job_id]
