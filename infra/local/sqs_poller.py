"""The SQS event source mapping: long-poll, invoke, delete what succeeded.

Redrive to the dead-letter queue is left to the emulator: moto's SQS moves a message once its
receive count passes the queue's maxReceiveCount, as AWS does (checked by an integration test).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.errors import HandlerError
from infra.local.functions import SqsSource
from infra.local.pool import FunctionPool, Worker
from infra.local.sqs_event import failed_message_ids, sqs_event

log = logging.getLogger("infra.local")

_MAX_MESSAGES_PER_RECEIVE = 10


class SqsPoller:
    """One poller thread per worker of the function, so batches run in parallel."""

    def __init__(
        self,
        source: SqsSource,
        pool: FunctionPool,
        sqs: Any,
        *,
        region: str,
        wait_seconds: int,
        stop: threading.Event,
    ) -> None:
        self.source = source
        self.pool = pool
        self._sqs = sqs
        self._region = region
        self._wait_seconds = wait_seconds
        self._stop = stop
        queue_name = source.queue_arn.rsplit(":", 1)[-1]
        self.queue_url: str = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except (BotoCoreError, ClientError) as exc:
                if self._stop.is_set():
                    return
                log.warning(
                    "%s: polling %s failed: %s", self.pool.spec.logical_id, self.queue_url, exc
                )
                self._stop.wait(1.0)

    def poll_once(self) -> int:
        """Receive one batch and hand it to the function; returns how many messages came."""
        with self.pool.lease() as worker:
            response = self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(self.source.batch_size, _MAX_MESSAGES_PER_RECEIVE),
                WaitTimeSeconds=self._wait_seconds,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages = response.get("Messages") or []
            if messages:
                self._deliver(worker, messages)
        return len(messages)

    def _deliver(self, worker: Worker, messages: list[dict[str, Any]]) -> None:
        name = self.pool.spec.logical_id
        try:
            result = worker.invoke(sqs_event(messages, self.source.queue_arn, self._region))
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
            failed_message_ids(result, batch_ids)
            if self.source.report_batch_item_failures
            else set()
        )
        done = [message for message in messages if message["MessageId"] not in failed]
        if failed:
            log.info("%s: %d of %d records reported failed", name, len(failed), len(messages))
        self._delete(done)

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), _MAX_MESSAGES_PER_RECEIVE):
            chunk = messages[start : start + _MAX_MESSAGES_PER_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(chunk)
                ],
            )
