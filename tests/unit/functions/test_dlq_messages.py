from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dlq_handler import DeadLetterRecord
from dlq_jobs import RETRIES_EXHAUSTED, exhausted_error

from batchscore_core.models import JobError
from batchscore_core.queue import JobMessage
from batchscore_core.s3_events import S3NotificationBody

EVENTS = Path(__file__).resolve().parents[2] / "events"


def first_record(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((EVENTS / name).read_text())["Records"][0]
    return record


def test_a_jobs_dlq_message_parses_as_a_job_message() -> None:
    # Given a message that came from the jobs queue
    # When it is parsed
    record = DeadLetterRecord.model_validate(first_record("sqs_job_message.json"))

    # Then it names the job
    assert isinstance(record.body, JobMessage)


def test_an_ingest_dlq_message_parses_as_an_s3_notification() -> None:
    # Given a message that came from the ingest queue
    # When it is parsed
    record = DeadLetterRecord.model_validate(first_record("sqs_s3_object_created.json"))

    # Then it holds the S3 records
    assert isinstance(record.body, S3NotificationBody)


def test_the_reason_carries_the_attempts_and_the_last_error() -> None:
    # Given a job whose last attempt failed
    last = JobError(code="attempt_failed", message="MemoryError: out of memory")

    # When retries are exhausted
    error = exhausted_error(3, last)

    # Then the reason says how often and why
    assert (error.code, error.message) == (
        RETRIES_EXHAUSTED,
        "gave up after 3 attempts: MemoryError: out of memory",
    )
