"""Abuse limit: POST /jobs answers 429 once an owner has MaxActiveJobsPerOwner unfinished jobs."""

from __future__ import annotations

import pytest

from batchscore_core.models import JobStatus
from batchscore_core.settings import get_settings
from batchscore_core.store import JobStore
from tests.integration.api.api_calls import OTHER_SUB, USER_SUB, Api

CAP = 3


@pytest.fixture
def capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_ACTIVE_JOBS_PER_OWNER", str(CAP))
    get_settings.cache_clear()


def test_the_job_beyond_the_cap_is_refused_with_429_and_not_created(
    api: Api, jobs: JobStore, capped
) -> None:
    # Given an owner with as many unfinished jobs as the cap
    for i in range(CAP):
        assert api.create(f"in-{i}.csv")["status"] == "AWAITING_UPLOAD"

    # When it asks for one more
    answer = api("POST", "/jobs", body={"filename": "one-more.csv"})

    # Then a clear 429, and nothing stored
    assert answer.status == 429
    assert answer.body["error"]["code"] == "too_many_active_jobs"
    assert str(CAP) in answer.body["error"]["message"]
    assert len(jobs.list_owned(USER_SUB, limit=100)[0]) == CAP


def test_finished_jobs_do_not_count_and_other_owners_are_not_held_back(
    api: Api, jobs: JobStore, capped
) -> None:
    # Given an owner at the cap, one of whose jobs then ends
    created = [api.create(f"in-{i}.csv")["job_id"] for i in range(CAP)]
    jobs.advance(created[0], JobStatus.REJECTED, from_states=[JobStatus.AWAITING_UPLOAD])

    # When it and another owner each create a job
    mine = api("POST", "/jobs", body={"filename": "next.csv"})
    theirs = api("POST", "/jobs", sub=OTHER_SUB, body={"filename": "theirs.csv"})

    # Then both are accepted
    assert (mine.status, theirs.status) == (201, 201)


def test_an_upload_form_that_expired_unused_does_not_count(
    api: Api, jobs: JobStore, capped
) -> None:
    # Given an owner at the cap with jobs awaiting uploads whose forms have long expired
    for i in range(CAP):
        api.create(f"in-{i}.csv")
    for job in jobs.list_owned(USER_SUB, limit=100)[0]:
        jobs.update(job.job_id, {"created_at": "2026-01-01T00:00:00.000Z"})

    # When
    answer = api("POST", "/jobs", body={"filename": "next.csv"})

    # Then
    assert answer.status == 201
