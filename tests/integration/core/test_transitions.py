"""Each named transition makes its own move and side effects: state, metric, event, queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from batchscore_core.errors import InvalidTransition
from batchscore_core.models import Job, JobError, JobSource, JobStatus, iso, utc_now
from batchscore_core.notify import Announcer
from batchscore_core.observability import metrics
from batchscore_core.origins import new_upload_job
from batchscore_core.queue import JobQueue
from batchscore_core.storage import DataStore
from batchscore_core.store import JobStore
from batchscore_core.transitions import Transitions, webhook_gave_up
from tests.integration.moto_stack import Stack

S = JobStatus
JOB_ID = "0123456789abcdef0123456789abcdef"
ERROR = JobError(code="bad_rows", message="2 rows are invalid")


class RecordingEvents:
    def __init__(self) -> None:
        self.published: list[tuple[str, JobStatus]] = []

    def publish(self, job: Job) -> None:
        self.published.append((job.job_id, job.status))


@pytest.fixture
def events() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def life(stack: Stack, events: RecordingEvents) -> Transitions:
    return Transitions(
        JobStore(stack.table_name),
        Announcer(events),  # type: ignore[arg-type]
        data=DataStore(stack.bucket_name, client=stack.s3),
        queue=JobQueue(stack.jobs_queue.url, client=stack.sqs),
    )


@pytest.fixture(autouse=True)
def no_metrics_yet() -> Iterator[None]:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def emitted() -> dict[str, Any]:
    return {name: metric["Value"] for name, metric in metrics.metric_set.items()}


def job_in(life: Transitions, status: JobStatus, **fields: Any) -> Job:
    job = new_upload_job(JOB_ID, "user-1", "scores.csv", JobSource.WEB)
    return life.store.create(job.model_copy(update={"status": status, **fields}))


def test_a_job_knows_where_its_result_goes_from_its_creation() -> None:
    # Given / When a web job is created
    job = new_upload_job(JOB_ID, "user-1", "march.csv", JobSource.WEB)

    # Then its input and result keys are set, and it has no drop-folder error report
    assert (job.input_key, job.result_key, job.error_report_key) == (
        f"uploads/user-1/{JOB_ID}/input.csv",
        f"results/user-1/{JOB_ID}/march.xlsx",
        None,
    )


def test_an_item_stored_before_jobs_knew_their_places_gets_them_on_read(
    life: Transitions, stack: Stack
) -> None:
    # Given an item written without result_key, as older versions stored drop-folder jobs
    now = iso(utc_now())
    stack.dynamodb.Table(stack.table_name).put_item(
        Item={
            "job_id": JOB_ID,
            "owner": "acme",
            "status": "QUEUED",
            "filename": "march.csv",
            "source": "dropbox",
            "created_at": now,
            "updated_at": now,
            "input_key": "dropbox/acme/q1/march.csv",
        }
    )

    # When it is read
    job = life.store.get(JOB_ID)

    # Then its outbox keys are the ones ingest would have given it
    assert (job.result_key, job.error_report_key) == (
        "outbox/acme/q1/march.xlsx",
        "outbox/acme/q1/march.errors.json",
    )


def _reject(life: Transitions) -> Job | None:
    return life.reject(job_in(life, S.AWAITING_UPLOAD), ERROR)


def _fail(life: Transitions) -> Job | None:
    return life.fail(job_in(life, S.PROCESSING), ERROR)


def _succeed(life: Transitions) -> Job | None:
    job = job_in(life, S.PROCESSING)
    return life.succeed(job, {"rows_done": 3}, rows_scored=3, duration_ms=120)


def _admit(life: Transitions) -> Job | None:
    return life.admit(job_in(life, S.AWAITING_UPLOAD), size_bytes=10, version_id=None)


def _retry(life: Transitions) -> Job | None:
    return life.retry(job_in(life, S.FAILED, error=ERROR))


def _hand_back(life: Transitions) -> Job | None:
    return life.hand_back(job_in(life, S.PROCESSING), ERROR)


@pytest.mark.parametrize(
    ("transition", "state", "metric", "announced"),
    [
        (_admit, S.QUEUED, "JobsQueued", True),
        (_reject, S.REJECTED, "JobsRejected", True),
        (_succeed, S.SUCCEEDED, "JobsSucceeded", True),
        (_fail, S.FAILED, "JobsFailed", True),
        (_retry, S.QUEUED, "JobsRetried", True),
        (_hand_back, S.QUEUED, "AttemptsFailed", False),
    ],
    ids=["admit", "reject", "succeed", "fail", "retry", "hand_back"],
)
def test_each_transition_moves_the_job_counts_it_and_announces_it(
    life: Transitions,
    events: RecordingEvents,
    transition: Callable[[Transitions], Job | None],
    state: JobStatus,
    metric: str,
    announced: bool,
) -> None:
    # Given a job in a state the transition starts from
    # When the transition is made
    moved = transition(life)

    # Then the job is in its new state, the metric is emitted, and the change announced
    assert moved is not None
    assert life.store.get(JOB_ID).status is state
    assert emitted()[metric] == [1]
    assert events.published == ([(JOB_ID, state)] if announced else [])


@pytest.mark.parametrize("transition", [_admit, _retry], ids=["admit", "retry"])
def test_a_transition_that_queues_the_job_sends_its_message(
    life: Transitions, stack: Stack, transition: Callable[[Transitions], Job | None]
) -> None:
    # Given / When
    transition(life)

    # Then the job is on the jobs queue
    assert stack.message_bodies(stack.jobs_queue) == [{"job_id": JOB_ID}]


def test_a_transition_that_finds_the_job_moved_on_does_nothing(
    life: Transitions, events: RecordingEvents
) -> None:
    # Given a job another delivery already succeeded, as read before it did
    stale = job_in(life, S.PROCESSING)
    life.store.advance(JOB_ID, S.SUCCEEDED)

    # When this delivery tries to reject it
    outcome = life.reject(stale, ERROR)

    # Then nothing changes: no metric, no event
    assert outcome is None
    assert life.store.get(JOB_ID).status is S.SUCCEEDED
    assert "JobsRejected" not in emitted()
    assert events.published == []


def test_retry_of_a_job_that_did_not_fail_is_refused(life: Transitions) -> None:
    # Given a succeeded job
    job = job_in(life, S.SUCCEEDED)

    # When it is retried, Then the caller hears why
    with pytest.raises(InvalidTransition):
        life.retry(job)
    assert "JobsRetried" not in emitted()


def test_a_rejected_drop_writes_its_error_report_and_records_its_version(
    life: Transitions, stack: Stack
) -> None:
    # Given a drop-folder job waiting for ingest
    job = job_in(
        life,
        S.AWAITING_UPLOAD,
        source=JobSource.DROPBOX,
        owner="acme",
        result_key="outbox/acme/march.xlsx",
        error_report_key="outbox/acme/march.errors.json",
    )

    # When it is rejected
    rejected = life.reject(job, ERROR)

    # Then the report is at the key the job was created with, in the version it records
    assert rejected is not None
    head = stack.s3.head_object(
        Bucket=stack.bucket_name,
        Key="outbox/acme/march.errors.json",
        VersionId=rejected.error_report_version_id,
    )
    assert head["ContentType"] == "application/json"


def test_deleting_a_job_counts_it(life: Transitions) -> None:
    # Given / When
    life.delete(job_in(life, S.SUCCEEDED))

    # Then
    assert emitted()["JobsDeleted"] == [1]


def test_a_webhook_that_gives_up_is_counted() -> None:
    # Given a finished job whose webhook failed for the last time
    job = new_upload_job(JOB_ID, "partner", "scores.csv", JobSource.API)

    # When the webhook code reports it
    webhook_gave_up(job, attempt=8, error="connection refused")

    # Then an alarm can see it
    assert emitted()["WebhooksAbandoned"] == [1]
