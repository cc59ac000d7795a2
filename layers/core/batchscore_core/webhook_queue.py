"""WebhookQueue: the message that asks the webhook function to deliver a job's notification."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

SQS_MAX_DELAY_SECONDS = 900


class WebhookQueue:
    """Body `{"job_id", "attempt"}`, plus `not_before` (epoch s) when a wait exceeds SQS's 900 s."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self._url = queue_url
        self._client: Any = client or boto3.client("sqs")

    def send(
        self, job_id: str, attempt: int = 1, *, delay_seconds: int = 0, now: float | None = None
    ) -> None:
        body: dict[str, Any] = {"job_id": job_id, "attempt": attempt}
        if delay_seconds > SQS_MAX_DELAY_SECONDS:
            body["not_before"] = int((time.time() if now is None else now) + delay_seconds)
        self.send_body(body, delay_seconds)

    def send_body(self, body: dict[str, Any], delay_seconds: int) -> None:
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(body),
            DelaySeconds=max(0, min(delay_seconds, SQS_MAX_DELAY_SECONDS)),
        )
