"""Who may call what: verified claims name the owner; programs need their scopes."""

from __future__ import annotations

import pytest
import status_jobs
from status_handler import lambda_handler

from batchscore_core.identity import READ, WRITE
from batchscore_core.observability import logger
from tests.integration.api.api_calls import Api, build_event
from tests.integration.moto_stack import FakeLambdaContext


def test_a_program_without_jobs_write_cannot_create_jobs(api: Api) -> None:
    # Given a client-credentials token with only jobs/read
    # When the program creates a job
    answer = api("POST", "/jobs", caller="machine", scopes=[READ], body={"filename": "a.csv"})

    # Then it is forbidden
    assert answer.status == 403
    assert answer.body["error"]["code"] == "forbidden"


def test_a_program_with_jobs_read_can_list_its_jobs(api: Api) -> None:
    # Given a client-credentials token with only jobs/read
    # When the program lists its jobs
    answer = api("GET", "/jobs", caller="machine", scopes=[READ])

    # Then it may
    assert answer.status == 200
    assert answer.body == {"items": [], "next_token": None}


def test_a_program_without_jobs_read_cannot_list(api: Api) -> None:
    # Given a client-credentials token with only jobs/write
    # When the program lists its jobs
    answer = api("GET", "/jobs", caller="machine", scopes=[WRITE])

    # Then it is forbidden
    assert answer.status == 403
    assert answer.body["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", "/retry"), ("POST", "/archive"), ("DELETE", "")]
)
def test_a_program_without_jobs_write_cannot_change_a_job(
    api: Api, method: str, suffix: str
) -> None:
    # Given a program's job and a token of that program with only jobs/read
    job_id = api.create(caller="machine")["job_id"]

    # When it tries to change the job
    answer = api(method, f"/jobs/{job_id}{suffix}", caller="machine", scopes=[READ])

    # Then it is forbidden
    assert answer.status == 403


def test_a_person_needs_no_scope(api: Api) -> None:
    # Given a user-pool ID token (no scopes)
    # When the person creates a job
    answer = api("POST", "/jobs", body={"filename": "a.csv"})

    # Then it may
    assert answer.status == 201


def test_a_request_without_verified_claims_is_unauthenticated(api: Api) -> None:
    # Given a request that reached the function without the authorizer's claims
    # When it lists jobs
    answer = api("GET", "/jobs", caller="anonymous")

    # Then it is not authenticated
    assert answer.status == 401
    assert answer.body["error"]["code"] == "not_authenticated"


def test_the_owner_comes_from_the_claims_not_the_body(api: Api) -> None:
    # Given a body that claims another owner
    body = {"filename": "a.csv", "owner": "someone-else"}

    # When a job is created with it
    answer = api("POST", "/jobs", body=body)

    # Then the unknown field is refused rather than trusted
    assert answer.status == 422
    assert [d["column"] for d in answer.body["error"]["details"]] == ["owner"]


def test_an_unknown_route_answers_not_found(api: Api) -> None:
    # Given a path the API does not serve
    # When it is called
    answer = api("GET", "/nothing-here")

    # Then it is not found, in the one error shape
    assert answer.status == 404
    assert answer.body == {
        "error": {"code": "not_found", "message": "no such route", "details": []}
    }


def test_an_unexpected_failure_answers_500_without_internals(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a bug deep in the logic
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret stack detail")

    monkeypatch.setattr(status_jobs, "owned_job", broken)

    # When a route hits it
    answer = api("GET", "/jobs/0123456789abcdef0123456789abcdef")

    # Then the answer is a plain internal error
    assert answer.status == 500
    assert answer.body["error"]["code"] == "internal_error"
    assert "secret" not in str(answer.body)


def test_the_logs_carry_the_api_request_id_as_correlation_id() -> None:
    # Given a request with an API Gateway request id
    event = build_event("GET", "/jobs")
    event["requestContext"]["requestId"] = "Bq1wEiXxIAMEVzQ="

    # When the handler serves it
    lambda_handler(event, FakeLambdaContext("status"))

    # Then the logger correlates by that id
    assert logger.get_correlation_id() == "Bq1wEiXxIAMEVzQ="
