"""The local SQS poller's turns over a function's sources (fake SQS client and worker pool)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from infra.local.functions import SqsSource
from infra.local.sqs_poller import SqsPoller

BUSY = SqsSource("arn:aws:sqs:us-east-1:123456789012:busy", 7, True)
QUIET = SqsSource("arn:aws:sqs:us-east-1:123456789012:quiet", 3, False)


@dataclass
class FakeSqs:
    """Queues that hand out what they hold; every receive and delete is recorded."""

    held: dict[str, list[str]]
    receives: list[tuple[str, int, int]] = field(default_factory=list)
    deleted: list[tuple[str, list[str]]] = field(default_factory=list)

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"http://sqs/{QueueName}"}

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        name = kwargs["QueueUrl"].rsplit("/", 1)[-1]
        count = kwargs["MaxNumberOfMessages"]
        self.receives.append((name, count, kwargs["WaitTimeSeconds"]))
        taken = self.held[name][:count]
        return {
            "Messages": [
                {
                    "MessageId": body,
                    "ReceiptHandle": f"rh-{body}",
                    "Body": body,
                    "MD5OfBody": "",
                    "Attributes": {},
                }
                for body in taken
            ]
        }

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> None:
        name = QueueUrl.rsplit("/", 1)[-1]
        handles = [entry["ReceiptHandle"] for entry in Entries]
        self.deleted.append((name, handles))
        self.held[name] = [b for b in self.held[name] if f"rh-{b}" not in handles]


class FakePool:
    """One worker whose handler reports the records whose body starts with `fail` as failed."""

    def __init__(self) -> None:
        self.spec = SimpleNamespace(logical_id="TwoQueueFunction")
        self.events: list[dict[str, Any]] = []

    @contextlib.contextmanager
    def lease(self) -> Iterator[Any]:
        yield self

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        failed = [r["messageId"] for r in event["Records"] if r["body"].startswith("fail")]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}


def poller(sqs: FakeSqs, pool: FakePool, sources: tuple[SqsSource, ...]) -> SqsPoller:
    return SqsPoller(
        sources,
        pool,  # type: ignore[arg-type]
        sqs,
        region="us-east-1",
        wait_seconds=5,
        stop=threading.Event(),
    )


def test_a_full_queue_and_a_quiet_one_take_turns_being_asked_first():
    # Given a function whose first queue never runs dry and whose second holds one message
    sqs = FakeSqs({"busy": [f"b{i}" for i in range(100)], "quiet": ["q0"]})
    pool = FakePool()
    turns = poller(sqs, pool, (BUSY, QUIET))

    # When it polls twice
    first, second = turns.poll_once(), turns.poll_once()

    # Then the first turn served the busy queue, the second the quiet one, each with its own
    # batch size and ARN; only the last source of a turn may long-poll
    assert (first, second) == (7, 1)
    assert sqs.receives == [("busy", 7, 0), ("quiet", 3, 0)]
    assert [e["Records"][0]["eventSourceARN"] for e in pool.events] == [
        BUSY.queue_arn,
        QUIET.queue_arn,
    ]
    assert sqs.held["quiet"] == []


def test_when_all_are_empty_the_turn_ends_in_one_long_poll_on_a_rotating_source():
    # Given two empty queues
    sqs = FakeSqs({"busy": [], "quiet": []})
    turns = poller(sqs, FakePool(), (BUSY, QUIET))

    # When it polls twice
    assert turns.poll_once() == 0
    assert turns.poll_once() == 0

    # Then each turn asked the other first, without waiting, and waited on the second
    assert sqs.receives == [("busy", 7, 0), ("quiet", 3, 5), ("quiet", 3, 0), ("busy", 7, 5)]


def test_one_source_is_one_long_poll_and_partial_failures_stay_per_source():
    # Given one source with ReportBatchItemFailures and a batch with one failing record
    sqs = FakeSqs({"busy": ["b0", "fail-1", "b2"]})
    turns = poller(sqs, FakePool(), (BUSY,))

    # When
    delivered = turns.poll_once()

    # Then one long poll fetched the batch, and all but the reported record were deleted
    assert delivered == 3
    assert sqs.receives == [("busy", 7, 5)]
    assert sqs.deleted == [("busy", ["rh-b0", "rh-b2"])]


def test_without_report_batch_item_failures_the_whole_batch_is_deleted():
    # Given the quiet source, which does not report item failures
    sqs = FakeSqs({"quiet": ["fail-0", "q1"]})
    turns = poller(sqs, FakePool(), (QUIET,))

    # When
    turns.poll_once()

    # Then a returned failure list does not keep anything (as Lambda without the setting)
    assert sqs.deleted == [("quiet", ["rh-fail-0", "rh-q1"])]
