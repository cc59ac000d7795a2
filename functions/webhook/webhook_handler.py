"""WebhookFunction: deliver job notifications from WebhookQueue to the partners' URLs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json
from webhook_delivery import WebhookMessage, deliver_webhook
from webhook_secrets import NoSecrets, SecretSource, SsmSecrets, StaticSecrets

from batchscore_core.adapters import job_store
from batchscore_core.observability import logger, metrics, tracer
from batchscore_core.settings import get_settings
from batchscore_core.webhook_queue import WebhookQueue


class WebhookRecord(SqsRecordModel):
    body: Json[WebhookMessage]


@dataclass(frozen=True)
class WebhookAdapters:
    secrets: SecretSource
    queue: WebhookQueue


@lru_cache(maxsize=1)
def webhook_adapters() -> WebhookAdapters:
    """Built on first use, like batchscore_core.adapters (clear with `cache_clear()`)."""
    settings = get_settings()
    secrets: SecretSource
    if settings.local_webhook_secret:  # only the local runtime sets it; it wins over SSM there
        secrets = StaticSecrets({"*": settings.local_webhook_secret.encode()})
    elif settings.webhook_secrets_parameter:
        secrets = SsmSecrets(settings.webhook_secrets_parameter)
    else:
        secrets = NoSecrets()
    return WebhookAdapters(secrets=secrets, queue=WebhookQueue(settings.webhook_queue_url))


processor = BatchProcessor(event_type=EventType.SQS, model=WebhookRecord)


def record_handler(record: WebhookRecord) -> None:
    parts = webhook_adapters()
    result = deliver_webhook(
        record.body, store=job_store(), secrets=parts.secrets, queue=parts.queue
    )
    logger.info(
        "webhook attempt done",
        extra={"job_id": record.body.job_id, "attempt": record.body.attempt, "result": result},
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
