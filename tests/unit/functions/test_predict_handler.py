from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import predict_handler
import pytest

from batchscore_model.loaded import model_bundle
from tests.integration.pipeline.samples import columns, valid_value
from tests.lambda_context import FakeLambdaContext

EVENTS = Path(__file__).resolve().parents[2] / "events" / "predict"


def row(index: int) -> dict[str, Any]:
    return {column.name: float(valid_value(column, index)) for column in columns()}


def call(body: Any, fixture: str = "post_predict_user.json") -> tuple[int, dict[str, Any]]:
    event = json.loads((EVENTS / fixture).read_text())
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    response = predict_handler.lambda_handler(event, FakeLambdaContext("predict"))
    return response["statusCode"], json.loads(response["body"])


def test_valid_rows_get_one_prediction_each_with_the_model_version() -> None:
    # Given three valid rows
    rows = [row(0), row(4), row(9)]

    # When they are posted
    status, body = call({"rows": rows})

    # Then each has a prediction and a probability per class
    classes = model_bundle().info.classes or []
    assert (status, body["model_version"]) == (200, model_bundle().version)
    assert [sorted(p) for p in body["predictions"]] == [
        sorted(["prediction", *(f"probability_{label}" for label in classes)])
    ] * 3


def test_predictions_come_in_input_order() -> None:
    # Given rows, and each row's prediction on its own
    rows = [row(0), row(9), row(5)]
    alone = [call({"rows": [one]})[1]["predictions"][0] for one in rows]

    # When the rows are posted together
    _, body = call({"rows": rows})

    # Then the predictions are in the same order (batched and single-row BLAS results may
    # differ in the last bits, so probabilities are compared with a relative tolerance)
    assert len(body["predictions"]) == len(alone)
    for batched, single in zip(body["predictions"], alone, strict=True):
        assert batched["prediction"] == single["prediction"]
        probabilities = {k: v for k, v in single.items() if k.startswith("probability_")}
        assert {k: batched[k] for k in probabilities} == pytest.approx(probabilities, rel=1e-9)
        assert batched.keys() == single.keys()


def test_an_invalid_row_is_reported_by_row_number_and_column() -> None:
    # Given a second row with text in a numeric column
    rows = [row(0), {**row(1), columns()[0].name: "lots"}]

    # When they are posted
    status, body = call({"rows": rows})

    # Then nothing is scored and the error names row 2 and the column
    assert (status, body["error"]["code"]) == (422, "invalid_rows")
    assert [(d["line"], d["column"]) for d in body["error"]["details"]] == [(2, columns()[0].name)]


def test_more_than_1000_rows_are_refused_as_too_large() -> None:
    # Given 1001 rows
    rows = [row(0)] * 1001

    # When they are posted
    status, body = call({"rows": rows})

    # Then the request is refused with its own code
    assert (status, body["error"]["code"]) == (413, "too_many_rows")


@pytest.mark.parametrize("body", [{"rows": []}, {"records": [{}]}, "not json"])
def test_a_malformed_request_gets_the_common_error_shape(body: Any) -> None:
    # Given a body that does not match {"rows": [1..1000 objects]}
    # When it is posted
    status, answer = call(body)

    # Then the answer is 422 in the one error shape
    assert status == 422
    assert answer["error"]["code"] == "invalid_request"
    assert set(answer["error"]) == {"code", "message", "details"}


def test_a_machine_client_without_the_predict_scope_is_forbidden() -> None:
    # Given a partner token with only jobs/read
    # When it posts valid rows
    status, body = call({"rows": [row(0)]}, "post_predict_machine_without_scope.json")

    # Then it is forbidden
    assert (status, body["error"]["code"]) == (403, "forbidden")


def test_a_machine_client_with_the_predict_scope_gets_predictions() -> None:
    # Given a partner token that has jobs/predict
    event = json.loads((EVENTS / "post_predict_machine_without_scope.json").read_text())
    event["requestContext"]["authorizer"]["jwt"]["scopes"] = ["jobs/predict"]
    event["body"] = json.dumps({"rows": [row(0)]})

    # When it posts valid rows
    response = predict_handler.lambda_handler(event, FakeLambdaContext("predict"))

    # Then it gets predictions
    assert response["statusCode"] == 200


def test_a_request_without_verified_claims_is_unauthorized() -> None:
    # Given an event without the authorizer's claims
    event = json.loads((EVENTS / "post_predict_user.json").read_text())
    del event["requestContext"]["authorizer"]
    event["body"] = json.dumps({"rows": [row(0)]})

    # When it is handled
    response = predict_handler.lambda_handler(event, FakeLambdaContext("predict"))

    # Then it is refused as unauthenticated
    assert (response["statusCode"], json.loads(response["body"])["error"]["code"]) == (
        401,
        "not_authenticated",
    )
