from __future__ import annotations

import itertools
import time

import pytest

from batchscore_core.errors import InvalidTransition, JobAlreadyExists, JobNotFound
from batchscore_core.lifecycle import ALLOWED
from batchscore_core.models import Job, JobError, JobSource, JobStatus, iso, utc_now
from batchscore_core.store import JobStore
from tests.integration.moto_stack import Stack

S = JobStatus
JOB_ID = "0123456789abcdef0123456789abcdef"
PAIRS = list(itertools.product(list(S), list(S)))
LEGAL = [(a, b) for a, b in PAIRS if b in ALLOWED[a]]
ILLEGAL = [(a, b) for a, b in PAIRS if b not in ALLOWED[a]]


def new_job(status: JobStatus = S.AWAITING_UPLOAD, job_id: str = JOB_ID, **fields: object) -> Job:
    now = iso(utc_now())
    return Job.model_validate(
        {
            "job_id": job_id,
            "owner": "user-1",
            "status": status,
            "filename": "scores.csv",
            "source": JobSource.WEB,
            "created_at": now,
            "updated_at": now,
            "input_key": f"uploads/user-1/{job_id}/input.csv",
            **fields,
        }
    )


@pytest.fixture
def store(stack: Stack) -> JobStore:
    return JobStore(stack.table_name, ttl_days=90)


def test_a_created_job_reads_back_the_same(store: JobStore) -> None:
    # Given a new job
    job = new_job()

    # When it is created and read
    store.create(job)

    # Then it reads back unchanged
    assert store.get(JOB_ID) == job


def test_a_job_id_is_created_only_once(store: JobStore) -> None:
    # Given an existing job
    store.create(new_job())

    # When the same id is created again
    # Then it is refused
    with pytest.raises(JobAlreadyExists):
        store.create(new_job())


def test_reading_a_missing_job_raises_job_not_found(store: JobStore) -> None:
    # Given an empty table
    # When a job is read
    # Then it is not found
    with pytest.raises(JobNotFound):
        store.get(JOB_ID)


@pytest.mark.parametrize(("from_state", "to_state"), LEGAL, ids=lambda s: s.value)
def test_an_allowed_transition_is_stored(
    store: JobStore, from_state: JobStatus, to_state: JobStatus
) -> None:
    # Given a job in `from_state`
    store.create(new_job(from_state))

    # When it advances to `to_state`
    moved = store.advance(JOB_ID, to_state)

    # Then the stored job is in `to_state`
    assert (moved.status, store.get(JOB_ID).status) == (to_state, to_state)


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL, ids=lambda s: s.value)
def test_a_forbidden_transition_is_refused(
    store: JobStore, from_state: JobStatus, to_state: JobStatus
) -> None:
    # Given a job in `from_state`
    store.create(new_job(from_state))

    # When it is asked to move to `to_state`
    with pytest.raises(InvalidTransition):
        store.advance(JOB_ID, to_state)

    # Then it stays where it was
    assert store.get(JOB_ID).status is from_state


def test_a_transition_outside_the_named_sources_is_refused(store: JobStore) -> None:
    # Given a PROCESSING job
    store.create(new_job(S.PROCESSING))

    # When it may only fail from QUEUED
    # Then the move is refused
    with pytest.raises(InvalidTransition):
        store.advance(JOB_ID, S.FAILED, from_states={S.QUEUED})


def test_a_refused_transition_names_the_current_state(store: JobStore) -> None:
    # Given a SUCCEEDED job
    store.create(new_job(S.SUCCEEDED))

    # When it is asked to start processing
    with pytest.raises(InvalidTransition) as refused:
        store.advance(JOB_ID, S.FAILED)

    # Then the error says where the job is
    assert refused.value.current is S.SUCCEEDED


def test_advancing_a_missing_job_raises_job_not_found(store: JobStore) -> None:
    # Given an empty table
    # When a job advances
    # Then it is not found
    with pytest.raises(JobNotFound):
        store.advance(JOB_ID, S.QUEUED)


def test_a_final_state_sets_the_expiry(store: JobStore) -> None:
    # Given a PROCESSING job
    store.create(new_job(S.PROCESSING))

    # When it succeeds
    done = store.advance(JOB_ID, S.SUCCEEDED)

    # Then it expires about 90 days later
    assert done.expires_at is not None
    assert abs(done.expires_at - (time.time() + 90 * 86400)) < 60


def test_a_job_created_final_gets_the_expiry_too(store: JobStore) -> None:
    # Given / When a job created already FAILED (a drop that never got through ingest)
    store.create(new_job(S.FAILED))

    # Then it expires about 90 days later, like a job that ended by a transition
    expires_at = store.get(JOB_ID).expires_at
    assert expires_at is not None
    assert abs(expires_at - (time.time() + 90 * 86400)) < 60


def test_advance_stores_changes_and_removes_fields(store: JobStore) -> None:
    # Given a PROCESSING job with a lease and an earlier error
    store.create(
        new_job(
            S.PROCESSING,
            lease_expires_at=int(time.time()) + 60,
            error=JobError(code="attempt_failed", message="boom"),
        )
    )

    # When it succeeds with results and without its lease and error
    store.advance(
        JOB_ID,
        S.SUCCEEDED,
        changes={"rows_done": 5, "result_key": "results/user-1/x/scores.xlsx"},
        remove=("lease_expires_at", "error"),
    )

    # Then the stored job has the results and neither lease nor error
    job = store.get(JOB_ID)
    assert (job.rows_done, job.result_key, job.lease_expires_at, job.error) == (
        5,
        "results/user-1/x/scores.xlsx",
        None,
        None,
    )


def test_claim_moves_a_queued_job_to_processing_and_counts_the_attempt(store: JobStore) -> None:
    # Given a QUEUED job
    store.create(new_job(S.QUEUED))

    # When it is claimed
    job = store.claim(JOB_ID, lease_seconds=60, attempt_changes={"model_version": "v1"})

    # Then it is PROCESSING, on its first attempt, with a lease
    assert (job.status, job.attempts, job.model_version) == (S.PROCESSING, 1, "v1")
    assert job.lease_expires_at is not None
    assert job.lease_expires_at > time.time()


def test_claim_refuses_a_job_whose_lease_runs(store: JobStore) -> None:
    # Given a job another attempt is processing
    store.create(new_job(S.PROCESSING, lease_expires_at=int(time.time()) + 600))

    # When a second delivery claims it
    # Then the claim is refused
    with pytest.raises(InvalidTransition):
        store.claim(JOB_ID, lease_seconds=60, attempt_changes={})


def test_claim_takes_over_a_job_whose_lease_ran_out(store: JobStore) -> None:
    # Given a PROCESSING job whose attempt died (lease in the past)
    store.create(new_job(S.PROCESSING, attempts=1, lease_expires_at=int(time.time()) - 1))

    # When it is claimed
    job = store.claim(JOB_ID, lease_seconds=60, attempt_changes={})

    # Then this attempt takes it over
    assert (job.status, job.attempts) == (S.PROCESSING, 2)


@pytest.mark.parametrize("status", sorted(set(S) - {S.QUEUED, S.PROCESSING}))
def test_claim_refuses_a_job_that_is_not_queued(store: JobStore, status: JobStatus) -> None:
    # Given a job that is waiting for its upload or has ended
    store.create(new_job(status))

    # When it is claimed
    # Then the claim is refused
    with pytest.raises(InvalidTransition):
        store.claim(JOB_ID, lease_seconds=60, attempt_changes={})


def test_claiming_a_missing_job_raises_job_not_found(store: JobStore) -> None:
    # Given an empty table
    # When a job is claimed
    # Then it is not found
    with pytest.raises(JobNotFound):
        store.claim(JOB_ID, lease_seconds=60, attempt_changes={})


def test_progress_of_a_running_job_is_stored(store: JobStore) -> None:
    # Given a PROCESSING job
    store.create(new_job(S.PROCESSING))

    # When progress is recorded
    store.record_progress(JOB_ID, 40, 100)

    # Then the job shows it
    job = store.get(JOB_ID)
    assert (job.rows_done, job.rows_total) == (40, 100)


def test_progress_of_a_job_that_left_processing_is_refused(store: JobStore) -> None:
    # Given a job that was handed back to the queue
    store.create(new_job(S.QUEUED))

    # When progress is recorded
    # Then it is refused
    with pytest.raises(InvalidTransition):
        store.record_progress(JOB_ID, 40, 100)


def test_progress_of_a_deleted_job_raises_job_not_found(store: JobStore) -> None:
    # Given a job deleted while it ran
    store.create(new_job(S.PROCESSING))
    store.delete(JOB_ID)

    # When progress is recorded
    # Then the job is not found
    with pytest.raises(JobNotFound):
        store.record_progress(JOB_ID, 40, 100)


def test_update_changes_fields_but_not_the_state(store: JobStore) -> None:
    # Given a finished job
    store.create(new_job(S.SUCCEEDED))

    # When it is archived
    store.update(JOB_ID, {"archived": True})

    # Then it is archived and still SUCCEEDED
    job = store.get(JOB_ID)
    assert (job.archived, job.status) == (True, S.SUCCEEDED)


def test_get_owned_hides_another_owners_job(store: JobStore) -> None:
    # Given user-1's job
    store.create(new_job())

    # When user-2 reads it
    # Then it is reported as missing
    with pytest.raises(JobNotFound):
        store.get_owned(JOB_ID, "user-2")


def test_list_owned_pages_newest_first(store: JobStore) -> None:
    # Given three jobs of one owner created one after another
    ids = [f"{i:032x}" for i in range(3)]
    for index, job_id in enumerate(ids):
        store.create(new_job(job_id=job_id, created_at=f"2026-11-22T04:00:0{index}.000Z"))

    # When they are listed two at a time
    first, token = store.list_owned("user-1", limit=2)
    second, last_token = store.list_owned("user-1", limit=2, next_token=token)

    # Then they come newest first, across pages, and the last page ends the listing
    assert [job.job_id for job in first + second] == list(reversed(ids))
    assert last_token is None
