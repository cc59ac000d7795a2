"""WebhookFunction: deliver job notifications from WebhookQueue to the partners' URLs."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    from dataclasses import dataclass
    from functools import lru_cache, partial
    from typing import Any

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from pydantic import Json
    from webhook_delivery import Sender, WebhookMessage, deliver_webhook

    from batchscore_core.adapters import job_store
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.settings import get_settings
    from batchscore_core.sqs_batch import partial_batch_response
    from batchscore_core.webhook_queue import WebhookQueue
    from batchscore_core.webhook_secrets import SecretSource, secret_source
    from batchscore_core.webhooks import DELIVERY_DEADLINE_SECONDS, deliver


# A record is only started when its whole deadline (and the job writes) fit in what is left
# of the invocation; the rest go back to the queue instead of timing out the whole batch.
RECORD_MARGIN_MS = int(DELIVERY_DEADLINE_SECONDS * 1000) + 3000


class NoTimeLeft(RuntimeError):
    """Not enough of the invocation left for one more delivery: SQS gives it back soon."""


class WebhookRecord(SqsRecordModel):
    body: Json[WebhookMessage]


@dataclass(frozen=True)
class WebhookAdapters:
    secrets: SecretSource
    queue: WebhookQueue
    send: Sender


@lru_cache(maxsize=1)
def webhook_adapters() -> WebhookAdapters:
    """Built on first use, like batchscore_core.adapters (clear with `cache_clear()`)."""
    settings = get_settings()
    return WebhookAdapters(
        secrets=secret_source(
            settings.webhook_secrets_parameter, max_age=settings.webhook_secrets_max_age_seconds
        ),
        queue=WebhookQueue(settings.webhook_queue_url),
        send=partial(deliver, allow_loopback=settings.allow_loopback_callbacks),
    )


processor = BatchProcessor(event_type=EventType.SQS, model=WebhookRecord)


def record_handler(record: WebhookRecord, lambda_context: LambdaContext | None = None) -> None:
    if lambda_context is not None and lambda_context.get_remaining_time_in_millis() < (
        RECORD_MARGIN_MS
    ):
        raise NoTimeLeft(record.body.job_id)
    parts = webhook_adapters()
    result = deliver_webhook(
        record.body, store=job_store(), secrets=parts.secrets, queue=parts.queue, send=parts.send
    )
    logger.info(
        "webhook attempt done",
        extra={"job_id": record.body.job_id, "attempt": record.body.attempt, "result": result},
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch_response(event, context, processor, record_handler)
