from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dlq_handler
import openpyxl
import process_handler
import process_run
import pytest
from botocore.exceptions import EndpointConnectionError
from process_run import HandedBack, RunSettings, process_job

from batchscore_core.adapters import announcer, data_store
from batchscore_core.models import Job, JobStatus
from batchscore_core.store import JobStore
from batchscore_core.transitions import Transitions
from batchscore_model.bundle import load_bundle
from batchscore_model.engine import EngineOptions
from tests.integration.moto_stack import Stack
from tests.integration.pipeline.conftest import OWNER
from tests.integration.pipeline.pipeline_steps import ingest, process, upload_and_ingest
from tests.integration.pipeline.samples import JOB_ID, csv_with_bad_value, valid_csv


def workbook_rows(stack: Stack, key: str, version_id: str | None = None) -> list[tuple[Any, ...]]:
    params = {"Bucket": stack.bucket_name, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    body = stack.s3.get_object(**params)["Body"].read()
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def all_jobs(store: JobStore, stack: Stack) -> list[Job]:
    items = stack.dynamodb.Table(stack.table_name).scan()["Items"]
    return sorted((store.get(str(item["job_id"])) for item in items), key=lambda j: j.created_at)


@pytest.fixture
def processed_web_job(stack: Stack, store: JobStore, waiting_job: Callable[..., Job]) -> Job:
    """A queued web job for scores.csv with 7 rows, once the jobs queue is processed."""
    upload_and_ingest(stack, waiting_job, valid_csv(7))
    process(stack)
    return store.get(JOB_ID)


def test_a_queued_job_succeeds_with_its_counts(processed_web_job: Job) -> None:
    # Given a queued job with a 7-row CSV
    # When the jobs queue is processed
    job = processed_web_job

    # Then the job SUCCEEDED with its rows counted, the model version, and no lease left
    assert (job.status, job.rows_total, job.rows_done, job.rows_rejected) == (
        JobStatus.SUCCEEDED,
        7,
        7,
        0,
    )
    assert (job.model_version, job.lease_expires_at) == (load_bundle().version, None)
    assert job.duration_ms is not None
    assert job.finished_at is not None


def test_the_engines_warnings_are_stored_on_the_succeeded_job(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an engine that scores the rows and reports problems it scored anyway
    upload_and_ingest(stack, waiting_job, valid_csv(3))
    real_score_csv = process_run.score_csv
    warning = {"line": 3, "column": "age", "message": "missing: imputed"}

    def score_with_warnings(*args: Any, **options: Any) -> SimpleNamespace:
        summary = real_score_csv(*args, **options)
        return SimpleNamespace(**{**dict(summary), "warnings": [warning], "warnings_total": 12})

    monkeypatch.setattr(process_run, "score_csv", score_with_warnings)

    # When the job is processed
    process(stack)

    # Then the job keeps the listed warnings and the count of all of them, as clients see it
    public = store.get(JOB_ID).public()
    assert public["status"] == "SUCCEEDED"
    assert (public["warnings"], public["warnings_total"]) == ([warning], 12)


def test_a_web_result_is_stored_under_results_with_predictions(
    stack: Stack, processed_web_job: Job
) -> None:
    # Given a queued job for scores.csv with 7 rows
    # When it is processed
    job = processed_web_job

    # Then results/<owner>/<job>/scores.xlsx holds the input columns then the predictions
    assert job.result_key == f"results/{OWNER}/{JOB_ID}/scores.xlsx"
    rows = workbook_rows(stack, job.result_key, job.result_version_id)
    header = list(rows[0])
    assert header[: len(load_bundle().info.feature_names)] == load_bundle().info.feature_names
    assert "prediction" in header
    assert len(rows) == 8


def test_a_drop_ends_as_an_xlsx_in_the_outbox(stack: Stack, store: JobStore) -> None:
    # Given a partner drops a 4-row CSV
    stack.put_object("dropbox/acme/march/scores.csv", valid_csv(4))
    ingest(stack)

    # When it is processed
    process(stack)

    # Then outbox/acme/march/scores.xlsx holds 4 rows, each with a prediction
    (job,) = all_jobs(store, stack)
    assert job.result_key == "outbox/acme/march/scores.xlsx"
    rows = workbook_rows(stack, job.result_key, job.result_version_id)
    column = list(rows[0]).index("prediction")
    assert [row[column] is not None for row in rows[1:]] == [True] * 4


def test_dropping_the_same_name_twice_keeps_two_result_versions(
    stack: Stack, store: JobStore
) -> None:
    # Given the same file name dropped twice, with different contents
    stack.put_object("dropbox/acme/scores.csv", valid_csv(2))
    ingest(stack)
    process(stack)
    stack.put_object("dropbox/acme/scores.csv", valid_csv(3))
    ingest(stack)
    process(stack)

    # When both jobs are read
    first, second = all_jobs(store, stack)

    # Then each job's download is its own version of the outbox xlsx
    assert first.result_version_id != second.result_version_id
    assert len(workbook_rows(stack, "outbox/acme/scores.xlsx", first.result_version_id)) == 3
    assert len(workbook_rows(stack, "outbox/acme/scores.xlsx", second.result_version_id)) == 4


def succeed_then_send_again(stack: Stack, store: JobStore) -> None:
    """The job SUCCEEDED, and its message is on the queue again."""
    process(stack)
    stack.sqs.send_message(QueueUrl=stack.jobs_queue.url, MessageBody=f'{{"job_id": "{JOB_ID}"}}')


def claim_by_another_attempt(stack: Stack, store: JobStore) -> None:
    """Another attempt processes the job (its lease runs); its message is on the queue."""
    store.claim(JOB_ID, lease_seconds=600, attempt_changes={})


@pytest.mark.parametrize(
    "arrange", [succeed_then_send_again, claim_by_another_attempt], ids=["finished", "running"]
)
def test_a_second_delivery_of_a_finished_or_running_job_does_nothing(
    stack: Stack,
    store: JobStore,
    waiting_job: Callable[..., Job],
    arrange: Callable[[Stack, JobStore], None],
) -> None:
    # Given a job that already SUCCEEDED, or that another attempt is processing
    upload_and_ingest(stack, waiting_job, valid_csv(3))
    arrange(stack, store)
    before = store.get(JOB_ID)

    # When its message is delivered
    response, _ = stack.deliver(stack.jobs_queue, process_handler.lambda_handler)

    # Then the delivery succeeds and the job is untouched
    assert response["batchItemFailures"] == []
    assert store.get(JOB_ID) == before


def test_a_bad_value_rejects_the_job_with_line_and_column(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job]
) -> None:
    # Given a CSV whose second data row (line 3) has text in a numeric column
    body, column = csv_with_bad_value(row=2)
    upload_and_ingest(stack, waiting_job, body)

    # When it is processed
    process(stack)

    # Then the job is REJECTED, and the report points at line 3 and the column
    job = store.get(JOB_ID)
    assert job.status is JobStatus.REJECTED
    assert job.error is not None
    assert (job.error.details[0].line, job.error.details[0].column) == (3, column)


def test_a_drop_rejected_while_scoring_leaves_an_error_report(
    stack: Stack, store: JobStore
) -> None:
    # Given a dropped CSV that passes ingest but has a bad value on line 3
    body, column = csv_with_bad_value(row=2)
    stack.put_object("dropbox/acme/bad.csv", body)
    ingest(stack)

    # When it is processed
    process(stack)

    # Then the job is REJECTED and the outbox holds its error report
    (job,) = all_jobs(store, stack)
    report = json.loads(
        stack.s3.get_object(Bucket=stack.bucket_name, Key="outbox/acme/bad.errors.json")[
            "Body"
        ].read()
    )
    assert job.status is JobStatus.REJECTED
    assert (report["job_id"], report["error"]["details"][0]["column"]) == (job.job_id, column)


Arrange = Callable[[Callable[..., None]], None]


@pytest.fixture
def queued_job_scored_by(
    stack: Stack, waiting_job: Callable[..., Job], monkeypatch: pytest.MonkeyPatch
) -> Arrange:
    """A queued 3-row job, scored by the given stand-in for the engine (a fault injected)."""

    def arrange(score: Callable[..., None]) -> None:
        upload_and_ingest(stack, waiting_job, valid_csv(3))
        monkeypatch.setattr(process_run, "score_csv", score)

    return arrange


Delivered = tuple[dict[str, Any], Job]
DeliverOnce = Callable[[Callable[..., None]], Delivered]


@pytest.fixture
def delivered_once_scored_by(
    stack: Stack, store: JobStore, queued_job_scored_by: Arrange
) -> DeliverOnce:
    """The handler's answer and the job, after one delivery of a job scored by the stand-in."""

    def deliver(score: Callable[..., None]) -> Delivered:
        queued_job_scored_by(score)
        response, _ = stack.deliver(stack.jobs_queue, process_handler.lambda_handler)
        return response, store.get(JOB_ID)

    return deliver


def test_a_transient_error_hands_the_job_back_to_the_queue(
    delivered_once_scored_by: DeliverOnce,
) -> None:
    # Given a queued job whose scoring loses its connection to S3
    # When its message is delivered once
    response, job = delivered_once_scored_by(disconnected_score_csv)

    # Then the record fails (SQS retries it) and the job is QUEUED with the attempt's error
    assert len(response["batchItemFailures"]) == 1
    assert job.status is JobStatus.QUEUED
    assert job.error is not None
    assert (job.error.code, job.attempts) == ("attempt_failed", 1)


def test_a_handed_back_message_comes_back_after_a_short_backoff(
    stack: Stack, store: JobStore, queued_job_scored_by: Arrange
) -> None:
    # Given a queued job whose first attempt meets a transient error
    queued_job_scored_by(disconnected_score_csv)
    stack.deliver(stack.jobs_queue, process_handler.lambda_handler)

    # When the queue is read again at once
    again = stack.receive(stack.jobs_queue)

    # Then the message stays hidden for the backoff (10 s), not the queue's 5,400 s timeout
    assert again == []
    assert process_handler.backoff_seconds(1) == 10


def test_a_job_that_meets_transient_errors_every_time_ends_failed(
    stack: Stack, store: JobStore, queued_job_scored_by: Arrange, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a queued job whose scoring always loses its connection, retried without waiting
    queued_job_scored_by(disconnected_score_csv)
    monkeypatch.setattr(process_handler, "backoff_seconds", lambda receives: 0)

    # When SQS delivers it until maxReceiveCount moves it to the DLQ, and the DLQ is handled
    attempts = process(stack)
    stack.drain(stack.jobs_dlq, dlq_handler.lambda_handler)

    # Then it was tried 3 times and is FAILED with the reason, and no exception text
    job = store.get(JOB_ID)
    assert attempts == 3
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert (job.error.code, job.error.message) == (
        "retries_exhausted",
        "gave up after 3 attempts: a temporary problem interrupted scoring: trying again soon",
    )


def test_a_bug_fails_the_job_at_once_with_a_generic_message(
    stack: Stack, delivered_once_scored_by: DeliverOnce
) -> None:
    # Given a queued job whose scoring raises an error nobody expected
    # When its message is delivered
    response, job = delivered_once_scored_by(broken_score_csv)

    # Then the job is FAILED after one attempt, the message is consumed, the text stays inside
    assert response["batchItemFailures"] == []
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert job.error is not None
    assert job.error.code == "internal_error"
    assert "disk full" not in job.error.message
    assert stack.receive(stack.jobs_queue) == []


@pytest.mark.parametrize(
    "fault",
    [
        csv.Error("new-line character seen in unquoted field"),
        OverflowError("int too large to convert to float"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    ],
    ids=["csv-error", "overflow", "undecodable"],
)
def test_input_that_cannot_be_read_rejects_the_job_at_once(
    delivered_once_scored_by: DeliverOnce, fault: Exception
) -> None:
    # Given a queued job whose file makes the reader raise what it raises on bad input
    def unreadable(source: Any, bundle: Any, sink: Path, **options: Any) -> None:
        raise fault

    # When its message is delivered
    response, job = delivered_once_scored_by(unreadable)

    # Then the job is REJECTED at once, with a generic reason
    assert response["batchItemFailures"] == []
    assert job.status is JobStatus.REJECTED
    assert job.error is not None
    assert (job.error.code, job.error.message) == (
        "unreadable_input",
        "the file cannot be read as CSV",
    )


@pytest.mark.slow
def test_progress_is_recorded_while_the_job_runs(
    stack: Stack,
    store: JobStore,
    waiting_job: Callable[..., Job],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Given a job of a few MiB (the engine reads 1 MiB at a time), progress written every chunk
    rows = 15_000
    upload_and_ingest(stack, waiting_job, valid_csv(rows))
    written: list[tuple[int, int | None]] = []
    real_record = JobStore.record_progress

    def spy(self: JobStore, job_id: str, rows_done: int, rows_total: int | None) -> Job:
        written.append((rows_done, rows_total))
        return real_record(self, job_id, rows_done, rows_total)

    monkeypatch.setattr(JobStore, "record_progress", spy)

    # When the job is processed
    run_attempt(store, tmp_path, interval=0, chunk_rows=1000)

    # Then rows done grew over several writes, each with an estimated total
    done = [rows_done for rows_done, _ in written]
    assert len(done) > 1
    assert done == sorted(done)
    assert done[-1] == rows
    assert all(total is not None and total >= rows_done for rows_done, total in written)


def test_temp_files_are_removed_after_a_failed_attempt(
    store: JobStore, queued_job_scored_by: Arrange, tmp_path: Path
) -> None:
    # Given a queued job whose scoring breaks after writing part of its output
    queued_job_scored_by(disconnected_score_csv)

    # When the attempt runs
    with pytest.raises(HandedBack):
        run_attempt(store, tmp_path)

    # Then nothing is left in the work directory
    assert list(tmp_path.iterdir()) == []


def test_a_job_deleted_while_running_stops_quietly(
    stack: Stack,
    store: JobStore,
    waiting_job: Callable[..., Job],
    tmp_path: Path,
) -> None:
    # Given a queued job that is deleted as soon as it starts
    upload_and_ingest(stack, waiting_job, valid_csv(5))
    real_claim = store.claim

    def claim_then_delete(job_id: str, **options: Any) -> Job:
        job = real_claim(job_id, **options)
        store.delete(job_id)
        return job

    store.claim = claim_then_delete  # type: ignore[method-assign]

    # When it is processed
    outcome = run_attempt(store, tmp_path, interval=0, chunk_rows=2)

    # Then the attempt ends without error and without bringing the job back
    assert outcome is None
    assert stack.dynamodb.Table(stack.table_name).scan()["Items"] == []


def score_csv_failing_with(error: Exception) -> Callable[..., None]:
    """A stand-in for the engine that writes part of its output, then raises `error`."""

    def score_csv(source: Any, bundle: Any, sink: Path, **options: Any) -> None:
        Path(sink).write_bytes(b"partial")
        raise error

    return score_csv


broken_score_csv = score_csv_failing_with(RuntimeError("disk full"))
disconnected_score_csv = score_csv_failing_with(
    EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com")
)


def run_attempt(
    store: JobStore, work_dir: Path, *, interval: float = 2.0, chunk_rows: int = 20_000
) -> Job | None:
    """One attempt at the job, in-process, with its work directory and progress settings."""
    return process_job(
        JOB_ID,
        lease_seconds=60,
        life=Transitions(store, announcer(), data=data_store()),
        data=data_store(),
        bundle=load_bundle(),
        settings=RunSettings(
            progress_interval_seconds=interval,
            engine_options=EngineOptions(chunk_rows=chunk_rows),
            work_dir=work_dir,
        ),
    )


def test_the_lease_is_this_invocations_remaining_time(
    stack: Stack, store: JobStore, waiting_job: Callable[..., Job], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a queued job whose scoring is stopped mid-way to look at the lease
    upload_and_ingest(stack, waiting_job, valid_csv(3))
    seen: list[int | None] = []

    def look(source: Any, bundle: Any, sink: Path, **options: Any) -> None:
        seen.append(store.get(JOB_ID).lease_expires_at)
        raise RuntimeError("stop here")

    monkeypatch.setattr(process_run, "score_csv", look)

    # When an invocation with 120 s left runs it
    stack.deliver(stack.jobs_queue, process_handler.lambda_handler, remaining_ms=120_000)

    # Then the lease ends about 120 s from now
    assert seen[0] is not None
    assert abs(seen[0] - (time.time() + 120)) < 10
