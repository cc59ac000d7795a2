import json
import threading
import time

from infra.local.emulator import Emulator
from infra.local.functions import SqsSource, read_function
from infra.local.pool import FunctionPool
from infra.local.sqs_poller import SqsPoller
from infra.local.template import StackTemplate


def make_poller(stack: StackTemplate, pool: FunctionPool, emulator: Emulator) -> SqsPoller:
    return SqsPoller(
        read_function(stack, "WorkerFunction").sqs_sources,
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


def recorded(emulator: Emulator, stack: StackTemplate, job_id: str) -> bool:
    table = stack.resolver.ref("JobsTable")
    item = emulator.client("dynamodb").get_item(TableName=table, Key={"job_id": {"S": job_id}})
    return "Item" in item


def visible(emulator: Emulator, queue_url: str) -> int:
    attributes = emulator.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def top_up(emulator: Emulator, queue_url: str, *, at_least: int) -> None:
    """Keep `queue_url` holding at least `at_least` visible messages (batches of ten)."""
    sqs = emulator.client("sqs")
    for _ in range(max(0, at_least - visible(emulator, queue_url) + 9) // 10):
        sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "MessageBody": json.dumps({"action": "ok"})} for i in range(10)
            ],
        )


def test_a_queue_kept_full_does_not_starve_the_functions_other_source(
    fixture_stack: StackTemplate, worker_pool: FunctionPool, emulator: Emulator
):
    # Given WorkerFunction with a second source (a quiet queue), one worker, and the pollers
    # the runtime starts for it; its first queue is kept full all along
    busy_url = ingest_queue(fixture_stack, emulator)
    quiet_url = str(fixture_stack.resolver.ref("IngestDLQ"))
    spec = read_function(fixture_stack, "WorkerFunction")
    quiet = SqsSource(
        queue_arn=str(fixture_stack.resolver.get_att("IngestDLQ", "Arn")),
        batch_size=5,
        report_batch_item_failures=True,
    )
    stop = threading.Event()
    poller = SqsPoller(
        (*spec.sqs_sources, quiet),
        worker_pool,
        emulator.client("sqs"),
        region="us-east-1",
        wait_seconds=1,
        stop=stop,
    )
    top_up(emulator, busy_url, at_least=30)
    thread = threading.Thread(target=poller.run)
    thread.start()

    try:
        # When one message arrives on the quiet queue while the busy one never empties
        send(emulator, quiet_url, {"action": "ok", "id": "quiet"})
        deadline = time.monotonic() + 15  # many busy batches: the old pollers never got there
        while not recorded(emulator, fixture_stack, "quiet"):
            assert time.monotonic() < deadline, "the quiet queue was not read within 15 s"
            top_up(emulator, busy_url, at_least=20)
            time.sleep(0.05)  # the polling interval of this wait, not a condition
    finally:
        stop.set()
        thread.join(timeout=10)

    # Then the quiet message was delivered and deleted, while busy batches were served too
    # and the busy queue was never empty
    assert not thread.is_alive()
    assert bodies_in(emulator, quiet_url, wait_seconds=0) == []
    table = fixture_stack.resolver.ref("JobsTable")
    records = emulator.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"]
    assert records - 1 >= spec.sqs_sources[0].batch_size
    assert visible(emulator, busy_url) >= 10
