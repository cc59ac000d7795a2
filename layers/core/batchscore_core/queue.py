"""JobQueue: the message that tells the processing function a job is ready."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import boto3
from pydantic import BaseModel

from batchscore_core.models import JobId


class JobMessage(BaseModel):
    """The jobs queue's message body (docs/INTERNALS.md)."""

    job_id: JobId


class SqsQueue:
    """A queue's URL and its SQS client (given, or built on first use)."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self._url = queue_url
        self._given_client = client

    @cached_property
    def _client(self) -> Any:
        """Built on first use: functions that never send (process, DLQ) never pay for it."""
        return self._given_client or boto3.client("sqs")


class JobQueue(SqsQueue):
    def send(self, job_id: str) -> None:
        self._client.send_message(QueueUrl=self._url, MessageBody=json.dumps({"job_id": job_id}))

    def retry_in(self, receipt_handle: str, seconds: int) -> None:
        """Deliver this received message again in `seconds` (its visibility timeout, changed)."""
        self._client.change_message_visibility(
            QueueUrl=self._url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
