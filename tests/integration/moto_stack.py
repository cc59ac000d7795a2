"""The stack of template.yaml inside moto, and SQS delivered to handlers as Lambda does it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.sqs_event import failed_message_ids, sqs_event
from tests.lambda_context import FakeLambdaContext

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
EVENTS = ROOT / "tests" / "events"
ACCOUNT_ID = "123456789012"  # moto's default account: queue ARNs in redrive policies must match
STACK_NAME = "batchscore-test"


@dataclass(frozen=True)
class Queue:
    url: str
    arn: str


@dataclass(frozen=True)
class Stack:
    """Resolved names of the stack's resources, and clients bound to moto."""

    region: str
    environment: dict[str, str]
    table_name: str
    idempotency_table_name: str
    bucket_name: str
    ingest_queue: Queue
    ingest_dlq: Queue
    jobs_queue: Queue
    jobs_dlq: Queue
    s3: Any
    sqs: Any
    dynamodb: Any

    def put_object(self, key: str, body: bytes) -> str | None:
        """Write an object (S3 notifies the ingest queue); answers its version id."""
        answer = self.s3.put_object(Bucket=self.bucket_name, Key=key, Body=body)
        version: str | None = answer.get("VersionId")
        return version

    def receive(self, queue: Queue, max_messages: int = 10) -> list[dict[str, Any]]:
        """One receive, as an event source mapping polls; a message not deleted comes back."""
        answer = self.sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=max_messages,
            VisibilityTimeout=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    def deliver(
        self, queue: Queue, handler: Any, *, max_messages: int = 10, remaining_ms: int = 900_000
    ) -> tuple[dict[str, Any], int]:
        """Receive once, invoke the handler with Lambda's SQS event, delete what succeeded.

        Answers the failures (every record when the handler raised, as Lambda counts it) and
        the number of records delivered.
        """
        messages = self.receive(queue, max_messages)
        if not messages:
            return {"batchItemFailures": []}, 0
        event = sqs_event(messages, queue.arn, self.region)
        ids = {message["MessageId"] for message in messages}
        try:
            response = handler(event, FakeLambdaContext(remaining_ms=remaining_ms))
        except Exception:  # Lambda: an invocation error fails the whole batch
            response = {"batchItemFailures": [{"itemIdentifier": i} for i in sorted(ids)]}
        failed = failed_message_ids(response, ids)
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        return response, len(messages)

    def drain(self, queue: Queue, handler: Any, *, rounds: int = 10, **options: Any) -> int:
        """Deliver until the queue answers nothing; answers how many records were delivered."""
        delivered = 0
        for _ in range(rounds):
            _, count = self.deliver(queue, handler, **options)
            if count == 0:
                break
            delivered += count
        return delivered

    def message_bodies(self, queue: Queue) -> list[Any]:
        """Read (and delete) every message waiting in a queue."""
        bodies = []
        while messages := self.receive(queue):
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        return bodies

    def purge(self, queue: Queue) -> None:
        self.message_bodies(queue)


def load_event(name: str) -> dict[str, Any]:
    """A real-shaped event from tests/events/."""
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event
