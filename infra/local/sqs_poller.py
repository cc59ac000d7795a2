"""The SQS event source mapping: long-poll, invoke, delete what succeeded.

Redrive to the dead-letter queue is left to the emulator: moto's SQS moves a message once its
receive count passes the queue's maxReceiveCount, as AWS does (checked by an integration test).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.errors import HandlerError
from infra.local.functions import SqsSource
from infra.local.pool import FunctionPool, Worker
from infra.local.sqs_event import failed_message_ids, sqs_event

log = logging.getLogger("infra.local")

_MAX_MESSAGES_PER_RECEIVE = 10


class SqsPoller:
    """One poller thread per worker slot of a function, over all of the function's SQS sources.

    Each turn takes a worker first (as Lambda does: no message waits for a worker while its
    visibility timeout runs), then asks the sources in turn, starting one further each turn:
    every source but the last of the turn is asked without waiting, the last one long-polls.
    A source that is never empty therefore cannot keep the others from being read: each is
    asked first at least every `len(sources)` turns. With one source, each turn is one long
    poll, as before.
    """

    def __init__(
        self,
        sources: Sequence[SqsSource],
        pool: FunctionPool,
        sqs: Any,
        *,
        region: str,
        wait_seconds: int,
        stop: threading.Event,
        first: int = 0,
    ) -> None:
        if not sources:
            raise ValueError(f"{pool.spec.logical_id}: a poller needs at least one SQS source")
        self.sources = tuple(sources)
        self.pool = pool
        self._sqs = sqs
        self._region = region
        self._wait_seconds = wait_seconds
        self._stop = stop
        self._next = first % len(self.sources)
        self.queue_urls: tuple[str, ...] = tuple(
            sqs.get_queue_url(QueueName=source.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
            for source in self.sources
        )

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except (BotoCoreError, ClientError) as exc:
                if self._stop.is_set():
                    return
                log.warning("%s: polling failed: %s", self.pool.spec.logical_id, exc)
                self._stop.wait(1.0)

    def poll_once(self) -> int:
        """One turn: one batch from the first source of the turn's order that has messages,
        handed to the function; returns how many messages came."""
        count = len(self.sources)
        order = [(self._next + step) % count for step in range(count)]
        self._next = (self._next + 1) % count
        with self.pool.lease() as worker:
            for position, index in enumerate(order):
                last = position == count - 1
                messages = self._receive(index, self._wait_seconds if last else 0)
                if messages:
                    self._deliver(worker, index, messages)
                    return len(messages)
        return 0

    def _receive(self, index: int, wait_seconds: int) -> list[dict[str, Any]]:
        response = self._sqs.receive_message(
            QueueUrl=self.queue_urls[index],
            MaxNumberOfMessages=min(self.sources[index].batch_size, _MAX_MESSAGES_PER_RECEIVE),
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages") or []
        return messages

    def _deliver(self, worker: Worker, index: int, messages: list[dict[str, Any]]) -> None:
        name = self.pool.spec.logical_id
        source = self.sources[index]
        try:
            result = worker.invoke(sqs_event(messages, source.queue_arn, self._region))
        except HandlerError as exc:
            if self._stop.is_set():
                log.info("%s: stopping; %d message(s) stay in the queue", name, len(messages))
                return
            log.error(
                "%s: batch of %d failed, messages stay in the queue: %s", name, len(messages), exc
            )
            return
        batch_ids = {message["MessageId"] for message in messages}
        failed = (
            failed_message_ids(result, batch_ids) if source.report_batch_item_failures else set()
        )
        done = [message for message in messages if message["MessageId"] not in failed]
        if failed:
            log.info("%s: %d of %d records reported failed", name, len(failed), len(messages))
        self._delete(self.queue_urls[index], done)

    def _delete(self, queue_url: str, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), _MAX_MESSAGES_PER_RECEIVE):
            chunk = messages[start : start + _MAX_MESSAGES_PER_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(chunk)
                ],
            )
