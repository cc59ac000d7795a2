from __future__ import annotations

import json
from collections.abc import Callable

import dlq_handler

from batchscore_core.keys import upload_key
from batchscore_core.models import Job, JobSource, JobStatus
from batchscore_core.store import JobStore
from tests.integration.moto_stack import Stack
from tests.integration.pipeline.conftest import OWNER
from tests.integration.pipeline.samples import JOB_ID, valid_csv

handler = dlq_handler.lambda_handler


def dead_letter_the_ingest_event(stack: Stack, key: str) -> None:
    """The object's S3 event, moved to IngestDLQ as if every ingest attempt had failed."""
    stack.purge(stack.ingest_queue)
    stack.put_object(key, valid_csv())
    (message,) = stack.receive(stack.ingest_queue)
    stack.sqs.send_message(QueueUrl=stack.ingest_dlq.url, MessageBody=message["Body"])


def test_a_dead_lettered_drop_without_a_job_gets_one_failed(stack: Stack, store: JobStore) -> None:
    # Given a drop whose ingest never got as far as creating its job
    dead_letter_the_ingest_event(stack, "dropbox/acme/scores.csv")

    # When the ingest DLQ is handled
    stack.drain(stack.ingest_dlq, handler)

    # Then a FAILED drop-folder job exists for the tenant, with the reason
    (item,) = stack.dynamodb.Table(stack.table_name).scan()["Items"]
    job = store.get(str(item["job_id"]))
    assert (job.status, job.owner, job.source) == (JobStatus.FAILED, "acme", JobSource.DROPBOX)
    assert job.error is not None
    assert job.error.code == "retries_exhausted"


def test_a_dead_lettered_drop_leaves_an_error_report(stack: Stack, store: JobStore) -> None:
    # Given a drop whose ingest kept failing
    dead_letter_the_ingest_event(stack, "dropbox/acme/scores.csv")

    # When the ingest DLQ is handled
    stack.drain(stack.ingest_dlq, handler)

    # Then the outbox explains the failure
    report = json.loads(
        stack.s3.get_object(Bucket=stack.bucket_name, Key="outbox/acme/scores.errors.json")[
            "Body"
        ].read()
    )
    assert report["error"]["code"] == "retries_exhausted"


def test_a_dead_lettered_upload_fails_its_waiting_job(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a web job whose upload event kept failing at ingest
    waiting_job(JOB_ID)
    dead_letter_the_ingest_event(stack, upload_key(OWNER, JOB_ID))

    # When the ingest DLQ is handled
    stack.drain(stack.ingest_dlq, handler)

    # Then the job is FAILED
    assert store.get(JOB_ID).status is JobStatus.FAILED


def test_a_dead_lettered_message_of_a_finished_job_leaves_it_alone(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a job that SUCCEEDED although a copy of its message ended in the DLQ
    waiting_job(JOB_ID)
    store.advance(JOB_ID, JobStatus.QUEUED)
    store.claim(JOB_ID, lease_seconds=60, attempt_changes={})
    done = store.advance(JOB_ID, JobStatus.SUCCEEDED)
    stack.sqs.send_message(QueueUrl=stack.jobs_dlq.url, MessageBody=json.dumps({"job_id": JOB_ID}))

    # When the jobs DLQ is handled
    response, _ = stack.deliver(stack.jobs_dlq, handler)

    # Then the message is consumed and the job is unchanged
    assert response["batchItemFailures"] == []
    assert store.get(JOB_ID) == done


def test_a_dead_lettered_message_of_a_deleted_job_is_consumed(stack: Stack) -> None:
    # Given a DLQ message for a job that no longer exists
    stack.sqs.send_message(QueueUrl=stack.jobs_dlq.url, MessageBody=json.dumps({"job_id": JOB_ID}))

    # When the jobs DLQ is handled
    stack.drain(stack.jobs_dlq, handler)

    # Then the message is gone and nothing was created
    assert stack.receive(stack.jobs_dlq) == []
    assert stack.dynamodb.Table(stack.table_name).scan()["Items"] == []


def test_a_job_that_never_started_fails_with_the_receive_count(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a QUEUED job whose message was never processed successfully (no attempt recorded)
    waiting_job(JOB_ID)
    store.advance(JOB_ID, JobStatus.QUEUED)
    stack.sqs.send_message(QueueUrl=stack.jobs_dlq.url, MessageBody=json.dumps({"job_id": JOB_ID}))

    # When the jobs DLQ is handled
    stack.drain(stack.jobs_dlq, handler)

    # Then it is FAILED, the reason counting the message's receives
    job = store.get(JOB_ID)
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.message == "gave up after 1 attempts"
