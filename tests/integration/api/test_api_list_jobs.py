"""GET /jobs: the caller's jobs, newest first, filtered, paged."""

from __future__ import annotations

import base64
import json

import pytest

from batchscore_core.models import JobStatus
from batchscore_core.store import JobStore
from tests.integration.api.api_calls import OTHER_SUB, USER_SUB, Api, put_state


def _ids(answer_body: dict[str, list[dict[str, str]]]) -> list[str]:
    return [item["job_id"] for item in answer_body["items"]]


def test_pages_of_ten_walk_through_25_jobs_newest_first(api: Api) -> None:
    # Given 25 jobs
    created = [api.create(f"file-{n}.csv")["job_id"] for n in range(25)]

    # When they are listed ten at a time, following next_token
    pages, token = [], None
    while True:
        query = {"limit": "10", **({"next_token": token} if token else {})}
        body = api("GET", "/jobs", query=query).body
        pages.append(body["items"])
        token = body["next_token"]
        if token is None:
            break

    # Then three pages hold every job once, newest first
    assert [len(page) for page in pages] == [10, 10, 5]
    items = [item for page in pages for item in page]
    assert sorted(item["job_id"] for item in items) == sorted(created)
    stamps = [item["created_at"] for item in items]
    assert stamps == sorted(stamps, reverse=True)


def test_the_default_page_holds_twenty_jobs(api: Api) -> None:
    # Given 21 jobs
    for n in range(21):
        api.create(f"file-{n}.csv")

    # When they are listed without a limit
    body = api("GET", "/jobs").body

    # Then twenty come back, with a token for the rest
    assert len(body["items"]) == 20
    assert body["next_token"] is not None


def test_a_status_filter_lists_only_those_states(api: Api, jobs: JobStore) -> None:
    # Given jobs in several states
    queued, failed, waiting = (api.create()["job_id"] for _ in range(3))
    put_state(jobs, queued, JobStatus.QUEUED)
    put_state(jobs, failed, JobStatus.FAILED)

    # When the caller asks for QUEUED and FAILED jobs
    body = api("GET", "/jobs", query={"status": "QUEUED,FAILED"}).body

    # Then only those come back
    assert sorted(_ids(body)) == sorted([queued, failed])
    assert waiting not in _ids(body)


def test_an_unknown_status_in_the_filter_is_refused(api: Api) -> None:
    # Given a filter naming no state
    # When the caller lists with it
    answer = api("GET", "/jobs", query={"status": "QUEUED,DONE"})

    # Then the request is refused, naming the field
    assert answer.status == 422
    assert {d["column"] for d in answer.body["error"]["details"]} == {"status.1"}


def test_archived_jobs_are_hidden_by_default(api: Api, jobs: JobStore) -> None:
    # Given an archived job and an active one
    archived, active = api.create()["job_id"], api.create()["job_id"]
    jobs.update(archived, {"archived": True})

    # When the caller lists without asking for archived jobs
    body = api("GET", "/jobs").body

    # Then only the active one shows
    assert _ids(body) == [active]


def test_archived_true_lists_only_archived_jobs(api: Api, jobs: JobStore) -> None:
    # Given an archived job and an active one
    archived, _active = api.create()["job_id"], api.create()["job_id"]
    jobs.update(archived, {"archived": True})

    # When the caller asks for archived jobs
    body = api("GET", "/jobs", query={"archived": "true"}).body

    # Then only the archived one shows
    assert _ids(body) == [archived]


def test_archived_all_lists_every_job(api: Api, jobs: JobStore) -> None:
    # Given an archived job and an active one
    archived, active = api.create()["job_id"], api.create()["job_id"]
    jobs.update(archived, {"archived": True})

    # When the caller asks for all jobs
    body = api("GET", "/jobs", query={"archived": "all"}).body

    # Then both show
    assert sorted(_ids(body)) == sorted([archived, active])


def test_the_list_holds_only_the_callers_jobs(api: Api) -> None:
    # Given a job of mine and one of another person
    mine = api.create()["job_id"]
    api.create(sub=OTHER_SUB)

    # When I list my jobs
    body = api("GET", "/jobs").body

    # Then only mine show
    assert _ids(body) == [mine]


def test_a_next_token_of_another_owner_is_refused(api: Api) -> None:
    # Given a page token handed to another person
    for n in range(3):
        api.create(f"file-{n}.csv", sub=OTHER_SUB)
    token = api("GET", "/jobs", sub=OTHER_SUB, query={"limit": "1"}).body["next_token"]

    # When I use it
    answer = api("GET", "/jobs", query={"next_token": token})

    # Then it is an invalid token
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_token"


def test_a_garbled_next_token_is_refused(api: Api) -> None:
    # Given a token this API never issued
    # When the caller lists with it
    answer = api("GET", "/jobs", query={"next_token": "not-a-token!"})

    # Then it is an invalid token
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_token"


def test_a_limit_outside_1_to_100_is_refused(api: Api) -> None:
    # Given a limit above 100
    # When the caller lists with it
    answer = api("GET", "/jobs", query={"limit": "101"})

    # Then the request is refused, naming the field
    assert answer.status == 422
    assert [(d["line"], d["column"]) for d in answer.body["error"]["details"]] == [(None, "limit")]


@pytest.mark.parametrize(
    "key",
    [
        {"job_id": 1, "owner": USER_SUB, "created_at": "2026-11-22T04:00:00.000Z"},
        {"job_id": "a" * 32, "owner": USER_SUB, "created_at": ["x"]},
        {"job_id": {"S": "a"}, "owner": USER_SUB, "created_at": "2026-11-22T04:00:00.000Z"},
        {"job_id": "a" * 32, "owner": USER_SUB, "created_at": None},
        {"job_id": "", "owner": USER_SUB, "created_at": ""},
    ],
)
def test_a_next_token_with_wrongly_typed_values_is_refused_not_a_500(api: Api, key) -> None:
    # Given a well-formed token of the caller whose values are not strings
    token = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()

    # When the caller lists with it
    answer = api("GET", "/jobs", query={"next_token": token})

    # Then
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_token"
