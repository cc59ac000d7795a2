import json
import threading
import time

from infra.local.emulator import Emulator
from infra.local.functions import read_function
from infra.local.pool import FunctionPool
from infra.local.sqs_poller import SqsPoller
from infra.local.template import StackTemplate


def make_poller(stack: StackTemplate, pool: FunctionPool, emulator: Emulator) -> SqsPoller:
    (source,) = read_function(stack, "WorkerFunction").sqs_sources
    return SqsPoller(
        source,
        pool,
        emulator.client("sqs"),
        region="us-east-1",
        wait_seconds=1,
        stop=threading.Event(),
    )


def ingest_queue(stack: StackTemplate, emulator: Emulator) -> str:
    """IngestQueue, emptied of the s3:TestEvent that S3 sent when its notification was set."""
    queue_url = str(stack.resolver.ref("IngestQueue"))
    emulator.client("sqs").purge_queue(QueueUrl=queue_url)
    return queue_url


def send(emulator: Emulator, queue_url: str, body: dict) -> str:
    return emulator.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))[
        "MessageId"
    ]


def bodies_in(emulator: Emulator, queue_url: str, wait_seconds: int = 2) -> list[dict]:
    messages = emulator.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
    )
    return [json.loads(message["Body"]) for message in messages.get("Messages", [])]


def test_only_successful_records_are_deleted_with_report_batch_item_failures(
    fixture_stack: StackTemplate, worker_pool: FunctionPool, emulator: Emulator
):
    # Given
    queue_url = ingest_queue(fixture_stack, emulator)
    poller = make_poller(fixture_stack, worker_pool, emulator)
    send(emulator, queue_url, {"action": "ok", "id": "good"})
    send(emulator, queue_url, {"action": "fail", "id": "bad"})

    # When
    received = 0
    while received < 2:
        received += poller.poll_once()
    time.sleep(1.1)  # the queue's VisibilityTimeout, shortened for tests

    # Then
    assert bodies_in(emulator, queue_url) == [{"action": "fail", "id": "bad"}]
    table = fixture_stack.resolver.ref("JobsTable")
    item = emulator.client("dynamodb").get_item(TableName=table, Key={"job_id": {"S": "good"}})
    assert item["Item"]["source_arn"]["S"] == fixture_stack.resolver.get_att("IngestQueue", "Arn")


def test_a_handler_exception_keeps_the_whole_batch(
    fixture_stack: StackTemplate, worker_pool: FunctionPool, emulator: Emulator
):
    # Given
    queue_url = ingest_queue(fixture_stack, emulator)
    poller = make_poller(fixture_stack, worker_pool, emulator)
    send(emulator, queue_url, {"action": "raise", "id": "boom"})

    # When
    while poller.poll_once() == 0:
        pass
    time.sleep(1.1)

    # Then
    assert bodies_in(emulator, queue_url) == [{"action": "raise", "id": "boom"}]


def test_message_that_always_fails_ends_in_the_dlq_after_max_receive_count(
    fixture_stack: StackTemplate, worker_pool: FunctionPool, emulator: Emulator
):
    # Given
    queue_url = ingest_queue(fixture_stack, emulator)
    dlq_url = fixture_stack.resolver.ref("IngestDLQ")
    poller = make_poller(fixture_stack, worker_pool, emulator)
    send(emulator, queue_url, {"action": "raise", "id": "poison"})

    # When: maxReceiveCount is 2, so the receive after the second failure moves it to the DLQ
    deliveries = 0
    while deliveries < 2:
        deliveries += poller.poll_once()
    time.sleep(1.1)
    deliveries += poller.poll_once()

    # Then
    assert deliveries == 2
    assert bodies_in(emulator, dlq_url) == [{"action": "raise", "id": "poison"}]
