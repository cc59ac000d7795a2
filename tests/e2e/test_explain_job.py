"""A job asking for reasons, end to end through the local runtime: POST /jobs with
`"explain": true`, the presigned upload, the workbook's reason columns and the job's
prediction distribution; and /predict with reasons over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.e2e_support import (
    feature_csv,
    read_sheets,
    wait_until_final,
)

pytestmark = pytest.mark.e2e

ROWS = 12


@pytest.fixture(scope="module")
def explained(local_stack, user) -> tuple[dict[str, Any], dict[str, list[tuple[Any, ...]]]]:
    job = wait_until_final(
        user, user.submit(feature_csv(ROWS), "why.csv", explain=True), local_stack
    )
    assert job["status"] == "SUCCEEDED", job
    return job, read_sheets(user.result(job["job_id"]))


def test_the_workbook_of_an_explained_job_has_three_reasons_per_row(explained) -> None:
    # Given
    job, sheets = explained
    predictions = sheets["predictions"]
    header, body = predictions[0], predictions[1:]
    # Then
    assert job["explain"] is True
    assert list(header[-3:]) == ["reason_1", "reason_2", "reason_3"]
    assert len(body) == ROWS
    for row in body:
        assert all(" by " in str(reason) for reason in row[-3:])
        assert all((" raises " in r or " lowers " in r) for r in map(str, row[-3:]))
    assert "columns" in sheets


def test_the_job_carries_its_prediction_distribution(explained) -> None:
    # Given
    job, _ = explained
    distribution = job["prediction_distribution"]
    # Then: class counts adding up to the rows scored
    assert distribution["kind"] == "classes"
    assert sum(bin_["count"] for bin_ in distribution["bins"]) == ROWS
    assert {bin_["label"] for bin_ in distribution["bins"]} == {"benign", "malignant"}


def test_predict_over_http_answers_reasons(user) -> None:
    # Given
    row = {key: float(value) for key, value in _first_row().items()}
    # When
    answer = user.request("POST", "/predict", json={"rows": [row], "explain": True})
    # Then
    assert answer.status_code == 200, answer.text
    reasons = answer.json()["predictions"][0]["reasons"]
    assert [sorted(reason) for reason in reasons] == [
        ["column", "contribution", "text", "towards", "value"]
    ] * 3


def _first_row() -> dict[str, str]:
    header, first = feature_csv(1).decode().splitlines()[:2]
    return dict(zip(header.split(","), first.split(","), strict=True))
