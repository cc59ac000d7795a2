"""One webhook attempt: load the job, POST it signed, record the outcome, schedule the next try."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from batchscore_core.errors import JobNotFound
from batchscore_core.models import Job, JobId, iso
from batchscore_core.observability import logger
from batchscore_core.store import JobStore
from batchscore_core.transitions import webhook_gave_up
from batchscore_core.webhook_queue import WebhookQueue
from batchscore_core.webhook_secrets import SecretNotFound, SecretSource
from batchscore_core.webhooks import DeliveryOutcome, backoff_seconds, deliver

Sender = Callable[..., DeliveryOutcome]


class WebhookMessage(BaseModel):
    """The WebhookQueue body (batchscore_core.webhook_queue)."""

    job_id: JobId
    attempt: int = Field(default=1, ge=1)
    not_before: int | None = None


class DeliveryResult(StrEnum):
    DELIVERED = "delivered"
    RETRY_SCHEDULED = "retry_scheduled"
    GAVE_UP = "gave_up"
    DEFERRED = "deferred"  # a wait longer than SQS allows, chained in 900 s steps
    SKIPPED = "skipped"  # the job is gone, no longer final, or has no webhook


def deliver_webhook(
    message: WebhookMessage,
    *,
    store: JobStore,
    secrets: SecretSource,
    queue: WebhookQueue,
    send: Sender = deliver,
    now: Callable[[], float] = time.time,
    backoff: Callable[[int], int | None] = backoff_seconds,
) -> DeliveryResult:
    moment = now()
    if message.not_before is not None and moment < message.not_before:
        queue.send_body(message.model_dump(), int(message.not_before - moment) + 1)
        return DeliveryResult.DEFERRED
    try:
        job = store.get(message.job_id)
    except JobNotFound:
        return DeliveryResult.SKIPPED
    if job.webhook is None or not job.status.is_final:
        return DeliveryResult.SKIPPED

    retry_allowed = True
    try:
        secret = secrets.secret_for(job.owner)  # per owner only: no shared or chosen key
    except SecretNotFound as exc:
        outcome = DeliveryOutcome(delivered=False, status=None, error=str(exc))
        retry_allowed = False  # a missing secret does not appear by waiting
    else:
        outcome = send(job, job.webhook.url, secret, timestamp=int(moment))

    if not _record(store, job, message.attempt, outcome, moment):
        return DeliveryResult.SKIPPED
    if outcome.delivered:
        return DeliveryResult.DELIVERED
    wait = backoff(message.attempt) if retry_allowed else None
    logger.warning(
        "webhook delivery failed",
        extra={"job_id": job.job_id, "attempt": message.attempt, "error": outcome.error},
    )
    if wait is None:
        webhook_gave_up(job, message.attempt, outcome.error)
        return DeliveryResult.GAVE_UP
    queue.send(job.job_id, message.attempt + 1, delay_seconds=wait, now=moment)
    return DeliveryResult.RETRY_SCHEDULED


def _record(
    store: JobStore, job: Job, attempt: int, outcome: DeliveryOutcome, moment: float
) -> bool:
    """False when the job was deleted meanwhile."""
    assert job.webhook is not None
    webhook = job.webhook.model_copy(
        update={
            "attempts": attempt,
            "delivered": outcome.delivered,
            "last_status": outcome.status,
            "last_error": outcome.error,
            "last_attempt_at": iso(datetime.fromtimestamp(moment, UTC)),
        }
    )
    try:
        store.update(job.job_id, {"webhook": webhook})
    except JobNotFound:
        return False
    return True
