from __future__ import annotations

import pytest
from webhook_delivery import DeliveryResult, WebhookMessage, deliver_webhook

from batchscore_core.errors import JobNotFound
from batchscore_core.models import JobStatus, Webhook
from batchscore_core.webhook_secrets import StaticSecrets
from batchscore_core.webhooks import DeliveryOutcome

NOW = 1_800_000_000.0


class MemoryStore:
    def __init__(self, *jobs) -> None:
        self.jobs = {job.job_id: job for job in jobs}

    def get(self, job_id):
        if job_id not in self.jobs:
            raise JobNotFound(job_id)
        return self.jobs[job_id]

    def update(self, job_id, changes):
        if job_id not in self.jobs:
            raise JobNotFound(job_id)
        self.jobs[job_id] = self.jobs[job_id].model_copy(update=changes)
        return self.jobs[job_id]


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[tuple] = []
        self.bodies: list[tuple] = []

    def send(self, job_id, attempt=1, *, delay_seconds=0, now=None):
        self.sent.append((job_id, attempt, delay_seconds))

    def send_body(self, body, delay_seconds):
        self.bodies.append((body, delay_seconds))


class ScriptedSender:
    def __init__(self, outcome: DeliveryOutcome) -> None:
        self.outcome = outcome
        self.calls: list[tuple] = []

    def __call__(self, job, url, secret, *, timestamp):
        self.calls.append((job.job_id, url, secret, timestamp))
        return self.outcome


OK = DeliveryOutcome(delivered=True, status=204, error=None)
DOWN = DeliveryOutcome(delivered=False, status=503, error="HTTP 503")


def run(job_store, sender, queue, attempt=1, secrets=None, not_before=None):
    message = WebhookMessage(
        job_id="0123456789abcdef0123456789abcdef", attempt=attempt, not_before=not_before
    )
    return deliver_webhook(
        message,
        store=job_store,
        secrets=secrets or StaticSecrets({"partner-client-id": b"s3cret"}),
        queue=queue,
        send=sender,
        now=lambda: NOW,
    )


def test_a_2xx_answer_is_recorded_as_delivered(finished_job):
    # Given
    store = MemoryStore(finished_job)

    # When
    result = run(store, ScriptedSender(OK), RecordingQueue())

    # Then
    assert result is DeliveryResult.DELIVERED
    webhook = store.jobs[finished_job.job_id].webhook
    assert (webhook.delivered, webhook.attempts, webhook.last_status) == (True, 1, 204)


def test_the_post_is_signed_with_the_owners_secret(finished_job):
    # Given
    sender = ScriptedSender(OK)

    # When
    run(MemoryStore(finished_job), sender, RecordingQueue())

    # Then
    assert sender.calls == [
        (finished_job.job_id, "https://partner.example/hooks", b"s3cret", int(NOW))
    ]


def test_a_secret_id_on_the_webhook_cannot_pick_another_owners_secret(finished_job):
    # Given a webhook naming another partner's secret
    job = finished_job.model_copy(
        update={"webhook": Webhook(url="https://p.example/h", secret_id="other-partner")}
    )
    sender = ScriptedSender(OK)
    secrets = StaticSecrets({"partner-client-id": b"owner-secret", "other-partner": b"theirs"})

    # When
    run(MemoryStore(job), sender, RecordingQueue(), secrets=secrets)

    # Then
    assert sender.calls[0][2] == b"owner-secret"


def test_a_failure_records_the_error_and_schedules_the_next_attempt(finished_job):
    # Given
    store = MemoryStore(finished_job)
    queue = RecordingQueue()

    # When
    result = run(store, ScriptedSender(DOWN), queue, attempt=2)

    # Then
    assert result is DeliveryResult.RETRY_SCHEDULED
    assert queue.sent == [(finished_job.job_id, 3, 30)]
    webhook = store.jobs[finished_job.job_id].webhook
    assert (webhook.delivered, webhook.attempts, webhook.last_error) == (False, 2, "HTTP 503")


def test_the_last_failed_attempt_gives_up(finished_job):
    # Given
    queue = RecordingQueue()

    # When
    result = run(MemoryStore(finished_job), ScriptedSender(DOWN), queue, attempt=6)

    # Then
    assert result is DeliveryResult.GAVE_UP
    assert queue.sent == []


def test_a_missing_secret_is_recorded_and_not_retried(finished_job):
    # Given
    store = MemoryStore(finished_job)
    queue = RecordingQueue()
    sender = ScriptedSender(OK)

    # When
    result = run(store, sender, queue, secrets=StaticSecrets({}))

    # Then
    assert result is DeliveryResult.GAVE_UP
    assert (sender.calls, queue.sent) == ([], [])
    assert "no webhook signing secret" in store.jobs[finished_job.job_id].webhook.last_error


def test_a_message_before_its_time_is_deferred_without_posting(finished_job):
    # Given a wait of 1800 s chained through SQS's 900 s limit
    queue = RecordingQueue()
    sender = ScriptedSender(OK)

    # When
    result = run(MemoryStore(finished_job), sender, queue, attempt=6, not_before=int(NOW) + 850)

    # Then
    assert result is DeliveryResult.DEFERRED
    assert sender.calls == []
    assert queue.bodies[0][1] == 851


@pytest.mark.parametrize(
    "change",
    [{"status": JobStatus.QUEUED}, {"webhook": None}],
    ids=["retried-meanwhile", "no-webhook"],
)
def test_a_job_that_should_not_be_notified_is_skipped(finished_job, change):
    # Given
    sender = ScriptedSender(OK)

    # When
    result = run(MemoryStore(finished_job.model_copy(update=change)), sender, RecordingQueue())

    # Then
    assert result is DeliveryResult.SKIPPED
    assert sender.calls == []


def test_a_deleted_job_is_skipped():
    # Given
    sender = ScriptedSender(OK)

    # When
    result = run(MemoryStore(), sender, RecordingQueue())

    # Then
    assert result is DeliveryResult.SKIPPED
