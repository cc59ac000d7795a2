"""The emulator gap in infra.local.moto_sqs: a message is received once within its visibility
timeout, however many pollers long-poll its queue at once over HTTP."""

from __future__ import annotations

import threading
from collections import Counter

from moto.sqs.models import SQSBackend

from infra.local.emulator import Emulator
from infra.local.moto_sqs import serialize_receives
from infra.local.ports import free_port
from tests.conftest import REGION

MESSAGES = 60
RECEIVERS = 12


def test_concurrent_receivers_never_take_one_message_twice() -> None:
    # Given an emulator queue holding messages and a dozen pollers at it at once
    emulator = Emulator("127.0.0.1", free_port(), REGION)
    emulator.start()
    try:
        sqs = emulator.client("sqs")
        url = sqs.create_queue(QueueName="runs", Attributes={"VisibilityTimeout": "600"})[
            "QueueUrl"
        ]
        for index in range(MESSAGES):
            sqs.send_message(QueueUrl=url, MessageBody=str(index))
        received: Counter[str] = Counter()
        lock = threading.Lock()
        start = threading.Barrier(RECEIVERS)

        def poll() -> None:
            start.wait()
            while True:
                batch = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1
                ).get("Messages", [])
                if not batch:
                    return
                with lock:
                    received.update(message["Body"] for message in batch)

        # When they all receive until the queue is empty
        pollers = [threading.Thread(target=poll) for _ in range(RECEIVERS)]
        for poller in pollers:
            poller.start()
        for poller in pollers:
            poller.join(timeout=120)

        # Then every message came exactly once
        assert sorted(received, key=int) == [str(index) for index in range(MESSAGES)]
        assert set(received.values()) == {1}, received.most_common(3)
    finally:
        emulator.stop()


def test_the_patch_is_applied_once() -> None:
    # Given the patch applied (the emulator applies it on start), When applied again
    serialize_receives()
    patched = SQSBackend.receive_message
    serialize_receives()
    # Then the backend keeps the one wrapper
    assert SQSBackend.receive_message is patched
    assert getattr(patched, "_one_receiver", False)
