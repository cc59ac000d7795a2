"""One error model for every route: the status API and POST /predict answer the same codes in
the same shape, and /predict's OpenAPI comes from the models PredictFunction validates with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import predict_handler

from batchscore_core.predict_contract import MAX_ROWS
from tests.integration.api.api_calls import Api
from tests.lambda_context import FakeLambdaContext

PREDICT_EVENTS = Path(__file__).resolve().parents[2] / "events" / "predict"
DETAIL_KEYS = {"line", "column", "message"}


def predict(body: Any, *, authenticated: bool = True) -> tuple[int, dict[str, Any]]:
    event = json.loads((PREDICT_EVENTS / "post_predict_user.json").read_text())
    if not authenticated:
        del event["requestContext"]["authorizer"]
    event["body"] = json.dumps(body)
    response = predict_handler.lambda_handler(event, FakeLambdaContext("predict"))
    return response["statusCode"], json.loads(response["body"])


def test_an_unauthenticated_call_gets_the_same_answer_from_every_function(api: Api) -> None:
    # Given requests without the authorizer's claims, one to each function
    # When they are handled
    jobs = api("GET", "/jobs", caller="anonymous")
    status, body = predict({"rows": [{}]}, authenticated=False)

    # Then both answer 401 with the one code
    assert (jobs.status, jobs.body["error"]["code"]) == (401, "not_authenticated")
    assert (status, body["error"]["code"]) == (401, "not_authenticated")


def test_an_invalid_request_names_its_fields_in_the_one_detail_shape(api: Api) -> None:
    # Given an invalid body for each function
    # When they are handled
    jobs = api("POST", "/jobs", body={"filename": "a.txt"})
    status, body = predict({"rows": "not a list"})

    # Then both are 422 invalid_request, each detail {line, column, message}
    for code, error in ((jobs.status, jobs.body["error"]), (status, body["error"])):
        assert (code, error["code"]) == (422, "invalid_request")
        assert error["details"]
        assert all(set(detail) == DETAIL_KEYS for detail in error["details"])
    assert [d["column"] for d in jobs.body["error"]["details"]] == ["filename"]
    assert [d["column"] for d in body["error"]["details"]] == ["rows"]


def test_predict_is_documented_from_its_models_with_its_one_limit(api: Api) -> None:
    # Given the OpenAPI document of the whole API
    document = api("GET", "/openapi.json", caller="anonymous").body

    # When /predict's request body is read
    operation = document["paths"]["/predict"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    # Then its row limit is the one PredictFunction enforces, and errors use the one model
    assert schema["properties"]["rows"]["maxItems"] == MAX_ROWS
    assert operation["security"] == [{"bearerAuth": []}]
    for status in ("401", "403", "413", "422"):
        error = operation["responses"][status]["content"]["application/json"]["schema"]
        assert error["$ref"].endswith("/ErrorBody")


def test_status_does_not_serve_predict_itself(api: Api) -> None:
    # Given a /predict request that reached StatusFunction (API Gateway never routes it there)
    # When it is handled
    answer = api("POST", "/predict", body={"rows": [{"a": 1}]})

    # Then it is not found there
    assert (answer.status, answer.body["error"]["code"]) == (404, "not_found")


def test_more_rows_than_the_limit_is_too_large_in_the_one_shape() -> None:
    # Given one row more than the limit
    # When they are posted
    status, body = predict({"rows": [{}] * (MAX_ROWS + 1)})

    # Then the answer is 413 too_many_rows in the one shape
    assert (status, body["error"]["code"]) == (413, "too_many_rows")
    assert set(body["error"]) == {"code", "message", "details"}
