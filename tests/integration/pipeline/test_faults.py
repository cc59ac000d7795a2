"""Faults the pipeline survives: duplicates, a failed store of the result, a deleted job."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import process_handler
import pytest

from batchscore_core.events import JobEvents
from batchscore_core.keys import upload_key
from batchscore_core.models import Job, JobStatus, Webhook
from batchscore_core.storage import DataStore
from batchscore_core.store import JobStore
from tests.integration.moto_stack import FakeLambdaContext, Stack, sqs_event
from tests.integration.pipeline.conftest import OWNER
from tests.integration.pipeline.pipeline_steps import ingest, process, upload_and_ingest
from tests.integration.pipeline.samples import JOB_ID, valid_csv

MESSAGE = f'{{"job_id": "{JOB_ID}"}}'


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(job id, status) of every EventBridge event the functions publish."""
    seen: list[tuple[str, str]] = []
    real = JobEvents.publish

    def counting(self: JobEvents, job: Job) -> None:
        seen.append((job.job_id, job.status.value))
        real(self, job)

    monkeypatch.setattr(JobEvents, "publish", counting)
    return seen


def result_versions(stack: Stack) -> list[dict]:
    listed = stack.s3.list_object_versions(Bucket=stack.bucket_name, Prefix="results/")
    return listed.get("Versions", [])


def queued_with_webhook(stack: Stack, store: JobStore, waiting_job: Callable[..., Job]) -> None:
    waiting_job(JOB_ID)
    store.update(JOB_ID, {"webhook": Webhook(url="https://partner.example/hooks")})
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv(4))
    ingest(stack)


FailOnce = Callable[[object, str, BaseException], None]


@pytest.fixture
def queued_job_failing_once(
    stack: Stack, waiting_job: Callable[..., Job], monkeypatch: pytest.MonkeyPatch
) -> FailOnce:
    """A queued 4-row job, and `owner.name` that raises `error` once, then does what it did."""

    def arrange(owner: object, name: str, error: BaseException) -> None:
        upload_and_ingest(stack, waiting_job, valid_csv(4))
        real = getattr(owner, name)
        failures = [error]

        def failing_once(*args: Any, **kwargs: Any) -> Any:
            if failures:
                raise failures.pop()
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, failing_once)

    return arrange


def test_a_duplicated_upload_notification_makes_one_job_and_one_result(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given one upload whose S3 notification arrives twice
    waiting_job(JOB_ID)
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv(4))
    received = stack.receive(stack.ingest_queue)
    for message in received:
        if JOB_ID in message["Body"]:  # not the s3:TestEvent
            stack.sqs.send_message(QueueUrl=stack.ingest_queue.url, MessageBody=message["Body"])
    for message in received:
        stack.sqs.change_message_visibility(
            QueueUrl=stack.ingest_queue.url,
            ReceiptHandle=message["ReceiptHandle"],
            VisibilityTimeout=0,
        )

    # When both are ingested and every job message processed
    ingest(stack)
    process(stack)

    # Then one job, SUCCEEDED once, with one result
    assert len(stack.dynamodb.Table(stack.table_name).scan()["Items"]) == 1
    assert store.get(JOB_ID).status is JobStatus.SUCCEEDED
    assert len(result_versions(stack)) == 1


def test_a_job_message_delivered_twice_gives_one_result_one_webhook_one_event(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job], published
) -> None:
    # Given a queued job with a webhook, whose message is on the queue twice
    queued_with_webhook(stack, store, waiting_job)
    stack.sqs.send_message(QueueUrl=stack.jobs_queue.url, MessageBody=MESSAGE)

    # When both deliveries are processed
    process(stack)

    # Then
    assert store.get(JOB_ID).status is JobStatus.SUCCEEDED
    assert len(result_versions(stack)) == 1
    webhook_queue = stack.environment["WEBHOOK_QUEUE_URL"]
    bodies = stack.sqs.receive_message(QueueUrl=webhook_queue, MaxNumberOfMessages=10)
    assert len(bodies.get("Messages", [])) == 1
    assert published.count((JOB_ID, "SUCCEEDED")) == 1


def test_a_failure_while_storing_the_result_shows_no_half_result_and_the_job_still_ends(
    stack: Stack, store: JobStore, queued_job_failing_once: FailOnce
) -> None:
    # Given a queued job, and S3 failing the first upload of a result (transient: handed back)
    queued_job_failing_once(DataStore, "upload_file", TimeoutError("S3 did not answer"))

    # When the first attempt fails storing its result
    response, _ = stack.deliver(stack.jobs_queue, process_handler.lambda_handler)

    # Then nothing half-written is visible, the job is handed back for another attempt
    assert len(response["batchItemFailures"]) == 1
    job = store.get(JOB_ID)
    assert (job.status, job.result_version_id) == (JobStatus.QUEUED, None)
    assert result_versions(stack) == []

    # And when the message comes back (after the hand-back's backoff), the job ends with one
    # whole result
    deadline = time.monotonic() + 40
    while store.get(JOB_ID).status is not JobStatus.SUCCEEDED:
        assert time.monotonic() < deadline, "the handed-back message never came back"
        process(stack)
        time.sleep(0.5)
    job = store.get(JOB_ID)
    assert job.status is JobStatus.SUCCEEDED
    (version,) = result_versions(stack)
    assert (job.result_key, job.result_version_id) == (version["Key"], version["VersionId"])


def test_a_message_for_a_deleted_job_is_dropped_quietly(stack: Stack, published) -> None:
    # Given a job message whose job was deleted meanwhile
    stack.sqs.send_message(QueueUrl=stack.jobs_queue.url, MessageBody=MESSAGE)

    # When it is delivered
    response, count = stack.deliver(stack.jobs_queue, process_handler.lambda_handler)

    # Then it succeeds (not retried), and nothing is created or announced
    assert (response, count) == ({"batchItemFailures": []}, 1)
    assert stack.dynamodb.Table(stack.table_name).scan()["Items"] == []
    assert result_versions(stack) == []
    assert published == []


class WorkerKilled(BaseException):
    """What SIGKILL leaves: the attempt stops where it is, no except or finally of ours runs."""


def test_an_attempt_killed_mid_job_is_taken_over_after_its_lease_and_succeeds_once(
    stack: Stack, store: JobStore, queued_job_failing_once: FailOnce
) -> None:
    # Given a queued job whose first attempt dies while scoring (1 s left in its invocation)
    import process_run

    queued_job_failing_once(process_run, "score_csv", WorkerKilled())
    (message,) = stack.receive(stack.jobs_queue)
    event = sqs_event([message], stack.jobs_queue.arn, stack.region)
    with pytest.raises(WorkerKilled):
        process_handler.lambda_handler(event, FakeLambdaContext(remaining_ms=1_000))
    killed = store.get(JOB_ID)
    assert (killed.status, killed.attempts) == (JobStatus.PROCESSING, 1)

    # When its lease has run out and SQS delivers the message again (it was never deleted)
    deadline = time.monotonic() + 10
    while int(time.time()) <= (killed.lease_expires_at or 0):
        assert time.monotonic() < deadline, "the lease never ran out"
        time.sleep(0.2)
    stack.sqs.change_message_visibility(
        QueueUrl=stack.jobs_queue.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    process(stack)

    # Then the second attempt took over: SUCCEEDED, with one result
    job = store.get(JOB_ID)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    (version,) = result_versions(stack)
    assert job.result_version_id == version["VersionId"]
