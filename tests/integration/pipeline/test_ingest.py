from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import upload_handler
import upload_limits

from batchscore_core.keys import dropped_job_id, upload_key
from batchscore_core.models import Job, JobSource, JobStatus
from batchscore_core.queue import JobQueue
from batchscore_core.settings import get_settings
from batchscore_core.store import JobStore
from tests.integration.moto_stack import Stack, load_event
from tests.integration.pipeline.conftest import OWNER
from tests.integration.pipeline.samples import JOB_ID, csv_without, valid_csv

handler = upload_handler.lambda_handler


def only_job(store: JobStore, stack: Stack) -> Job:
    items = stack.dynamodb.Table(stack.table_name).scan()["Items"]
    assert len(items) == 1
    return store.get(str(items[0]["job_id"]))


def test_a_valid_upload_queues_its_job(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a job waiting for its upload
    waiting_job(JOB_ID)
    body = valid_csv()

    # When the CSV is uploaded and its S3 event ingested
    stack.put_object(upload_key(OWNER, JOB_ID), body)
    stack.drain(stack.ingest_queue, handler)

    # Then the job is QUEUED with its size
    job = store.get(JOB_ID)
    assert (job.status, job.size_bytes) == (JobStatus.QUEUED, len(body))


def test_a_queued_job_is_sent_to_the_jobs_queue(
    stack: Stack, waiting_job: Callable[..., Job]
) -> None:
    # Given a job waiting for its upload
    waiting_job(JOB_ID)

    # When the CSV is uploaded and ingested
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv())
    stack.drain(stack.ingest_queue, handler)

    # Then the jobs queue holds its message
    assert stack.message_bodies(stack.jobs_queue) == [{"job_id": JOB_ID}]


def test_the_s3_test_event_succeeds_and_starts_nothing(stack: Stack) -> None:
    # Given only the s3:TestEvent S3 sent when the notification was configured
    # When it is delivered
    response, delivered = stack.deliver(stack.ingest_queue, handler)

    # Then it succeeds, and no job exists
    assert (delivered, response["batchItemFailures"]) == (1, [])
    assert stack.dynamodb.Table(stack.table_name).scan()["Items"] == []


def test_a_drop_creates_a_queued_job_for_the_tenant(stack: Stack, store: JobStore) -> None:
    # Given a partner drops a CSV in its folder
    stack.put_object("dropbox/acme/march/scores.csv", valid_csv())

    # When the event is ingested
    stack.drain(stack.ingest_queue, handler)

    # Then one job exists, owned by the tenant, from the drop folder, named after the file
    job = only_job(store, stack)
    assert (job.owner, job.source, job.filename, job.status) == (
        "acme",
        JobSource.DROPBOX,
        "scores.csv",
        JobStatus.QUEUED,
    )


def test_a_duplicated_drop_event_makes_one_job(stack: Stack, store: JobStore) -> None:
    # Given a drop whose S3 event is delivered twice (S3 delivers at least once)
    stack.purge(stack.ingest_queue)
    stack.put_object("dropbox/acme/scores.csv", valid_csv())
    (message,) = stack.receive(stack.ingest_queue)
    stack.sqs.send_message(QueueUrl=stack.ingest_queue.url, MessageBody=message["Body"])

    # When both are ingested
    delivered = stack.drain(stack.ingest_queue, handler)

    # Then both succeeded and there is one job
    assert delivered == 2
    assert only_job(store, stack).status is JobStatus.QUEUED


def test_the_drop_job_id_is_derived_from_the_object(stack: Stack) -> None:
    # Given a dropped file, and the S3 event that announces it
    key = "dropbox/acme/scores.csv"
    stack.put_object(key, valid_csv())
    (record,) = [
        record
        for message in stack.receive(stack.ingest_queue)  # seen, not consumed (visibility 0)
        for record in json.loads(message["Body"]).get("Records", [])
    ]
    obj = record["s3"]["object"]

    # When it is ingested
    stack.drain(stack.ingest_queue, handler)

    # Then its job id is derived from bucket, key and version (versionId; moto sends none, so
    # the ETag at the event's time)
    version = obj.get("versionId") or f"{obj['eTag']}@{record['eventTime']}"
    items = stack.dynamodb.Table(stack.table_name).scan()["Items"]
    assert [item["job_id"] for item in items] == [dropped_job_id(stack.bucket_name, key, version)]


def test_an_oversize_upload_is_rejected_with_its_reason(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 100-byte limit (the emulator ignores the presigned POST's own limit)
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "100")
    get_settings.cache_clear()  # the registry's seeding read the settings already
    upload_limits.ingest_limits.cache_clear()
    waiting_job(JOB_ID)

    # When a larger CSV is uploaded and ingested
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv(20))
    stack.drain(stack.ingest_queue, handler)
    upload_limits.ingest_limits.cache_clear()

    # Then the job is REJECTED as too large
    job = store.get(JOB_ID)
    assert job.status is JobStatus.REJECTED
    assert job.error is not None
    assert job.error.code == "too_large"


def test_a_csv_missing_a_required_column_is_rejected_naming_it(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a job and a CSV without the model's first column
    waiting_job(JOB_ID)
    missing = "mean radius"

    # When it is uploaded and ingested
    stack.put_object(upload_key(OWNER, JOB_ID), csv_without(missing))
    stack.drain(stack.ingest_queue, handler)

    # Then the job is REJECTED, and the report names the column on the header line
    error = store.get(JOB_ID).error
    assert error is not None
    assert error.code == "missing_columns"
    assert [(d.line, d.column) for d in error.details] == [(1, missing)]


def test_a_header_without_rows_is_rejected(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a CSV with a header and nothing else
    waiting_job(JOB_ID)
    header_only = valid_csv(0)

    # When it is uploaded and ingested
    stack.put_object(upload_key(OWNER, JOB_ID), header_only)
    stack.drain(stack.ingest_queue, handler)

    # Then the job is REJECTED for having no data row, pointing at line 2
    error = store.get(JOB_ID).error
    assert error is not None
    assert (error.code, error.details[0].line) == ("header_only", 2)


def test_an_undecodable_file_is_rejected(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a binary file posing as a CSV
    waiting_job(JOB_ID)

    # When it is uploaded and ingested
    stack.put_object(upload_key(OWNER, JOB_ID), b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd" * 50)
    stack.drain(stack.ingest_queue, handler)

    # Then the job is REJECTED
    assert store.get(JOB_ID).status is JobStatus.REJECTED


def test_a_rejected_drop_leaves_an_error_report_in_the_outbox(
    stack: Stack, store: JobStore
) -> None:
    # Given a partner drops a CSV without a required column
    key = "dropbox/acme/march/scores.csv"
    stack.put_object(key, csv_without("mean radius"))

    # When it is ingested
    stack.drain(stack.ingest_queue, handler)

    # Then the outbox holds the job's error, its id and the source key
    job = only_job(store, stack)
    report = json.loads(
        stack.s3.get_object(Bucket=stack.bucket_name, Key="outbox/acme/march/scores.errors.json")[
            "Body"
        ].read()
    )
    assert job.error is not None
    assert report == {"job_id": job.job_id, "source_key": key, "error": job.error.model_dump()}


def test_an_upload_for_an_unknown_job_is_dropped(stack: Stack) -> None:
    # Given an upload under a job id nobody created
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv())

    # When it is ingested
    stack.drain(stack.ingest_queue, handler)

    # Then the event is consumed (not retried) and no job appears
    assert stack.receive(stack.ingest_queue) == []
    assert stack.dynamodb.Table(stack.table_name).scan()["Items"] == []


def test_an_upload_under_another_owner_is_dropped(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given user-1's waiting job, and a file under another owner's prefix with its id
    waiting_job(JOB_ID)

    # When that file is ingested
    stack.put_object(upload_key("intruder", JOB_ID), valid_csv())
    stack.drain(stack.ingest_queue, handler)

    # Then user-1's job still waits
    assert store.get(JOB_ID).status is JobStatus.AWAITING_UPLOAD


def test_a_failed_send_fails_the_record_and_its_retry_sends(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a job waiting for its upload, and a jobs queue that refuses the first send
    waiting_job(JOB_ID)
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv())
    stack.purge(stack.ingest_queue)
    stack.put_object(upload_key(OWNER, JOB_ID), valid_csv())
    real_send = JobQueue.send
    calls = []

    def flaky_send(self: JobQueue, job_id: str) -> None:
        calls.append(job_id)
        if len(calls) == 1:
            raise ConnectionError("queue unreachable")
        real_send(self, job_id)

    monkeypatch.setattr(JobQueue, "send", flaky_send)

    # When the event is delivered, fails, and is delivered again
    first, _ = stack.deliver(stack.ingest_queue, handler)
    stack.deliver(stack.ingest_queue, handler)

    # Then the first delivery failed, and the job is QUEUED with its message sent
    assert len(first["batchItemFailures"]) == 1
    assert store.get(JOB_ID).status is JobStatus.QUEUED
    assert stack.message_bodies(stack.jobs_queue) == [{"job_id": JOB_ID}]


def test_an_event_for_a_key_outside_the_inputs_is_dropped(stack: Stack) -> None:
    # Given an S3 event (as AWS sends it) for a key that starts no job
    event = load_event("sqs_s3_object_created.json")
    body = json.loads(event["Records"][0]["body"])
    body["Records"][0]["s3"]["bucket"]["name"] = stack.bucket_name
    body["Records"][0]["s3"]["object"]["key"] = "results/user-1/report.csv"
    stack.purge(stack.ingest_queue)
    stack.sqs.send_message(QueueUrl=stack.ingest_queue.url, MessageBody=json.dumps(body))

    # When it is delivered
    response, _ = stack.deliver(stack.ingest_queue, handler)

    # Then it succeeds (no endless retries) and no job appears
    assert response["batchItemFailures"] == []
    assert stack.dynamodb.Table(stack.table_name).scan()["Items"] == []


def test_an_aws_shaped_drop_event_creates_its_job(stack: Stack, store: JobStore) -> None:
    # Given a drop whose S3 event has AWS's shape (versionId, sequencer, encoded key)
    key = "dropbox/acme/march/my scores(2).csv"
    stack.put_object(key, valid_csv())
    stack.purge(stack.ingest_queue)
    event = load_event("sqs_s3_object_created.json")
    body = json.loads(event["Records"][0]["body"])
    body["Records"][0]["s3"]["bucket"]["name"] = stack.bucket_name
    body["Records"][0]["s3"]["object"]["versionId"] = None
    stack.sqs.send_message(QueueUrl=stack.ingest_queue.url, MessageBody=json.dumps(body))

    # When it is delivered
    stack.deliver(stack.ingest_queue, handler)

    # Then the job reads the decoded key and is named after the file
    job = only_job(store, stack)
    assert (job.input_key, job.filename, job.status) == (
        key,
        "my scores(2).csv",
        JobStatus.QUEUED,
    )
