"""JobQueue: the message that tells the processing function a job is ready."""

from __future__ import annotations

import json
from typing import Any

import boto3
from pydantic import BaseModel

from batchscore_core.models import JobId


class JobMessage(BaseModel):
    """The jobs queue's message body (docs/INTERNALS.md)."""

    job_id: JobId


class JobQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self._url = queue_url
        self._client: Any = client or boto3.client("sqs")

    def send(self, job_id: str) -> None:
        self._client.send_message(QueueUrl=self._url, MessageBody=json.dumps({"job_id": job_id}))
