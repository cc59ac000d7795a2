"""The pipeline as a partner drives it: Cognito login, POST /jobs, presigned POST, poll, result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.e2e_support import (
    ApiUser,
    feature_csv,
    feature_frame,
    new_user,
    read_sheets,
    upload_presigned,
    wait_until_final,
)

pytestmark = pytest.mark.e2e

ROWS = 20


@dataclass(frozen=True)
class Finished:
    job: dict[str, Any]
    sheets: dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def succeeded(local_stack, user) -> Finished:
    """One valid CSV submitted, scored, and its workbook downloaded."""
    job_id = user.submit(feature_csv(ROWS), "tumours.csv")
    job = wait_until_final(user, job_id, local_stack)
    assert job["status"] == "SUCCEEDED", job
    return Finished(job=job, sheets=read_sheets(user.result(job_id)))


@pytest.fixture(scope="module")
def second_user(local_stack) -> ApiUser:
    return new_user(local_stack)


def test_a_valid_csv_ends_succeeded_with_every_row_scored_by_the_served_model(user, succeeded):
    # Given / When a valid CSV submitted and waited for
    job = succeeded.job

    # Then
    assert (job["status"], job["rows_total"], job["rows_done"]) == ("SUCCEEDED", ROWS, ROWS)
    assert job["filename"] == "tumours.csv"
    assert job["model_version"] == user.get_json("/model")["version"]


def test_the_result_keeps_the_input_columns_and_adds_the_model_outputs_per_row(user, succeeded):
    # Given
    predictions = next(iter(succeeded.sheets.values()))
    header, body = predictions[0], predictions[1:]
    columns = list(feature_frame().columns)
    outputs = [output["name"] for output in user.get_json("/model")["outputs"]]

    # When
    column = header.index("prediction")

    # Then
    assert list(header) == columns + outputs
    assert len(body) == ROWS
    assert all(f"probability_{row[column]}" in outputs for row in body), body
    assert [row[0] for row in body] == pytest.approx(list(feature_frame()["mean radius"][:ROWS]))


def test_the_result_has_a_summary_sheet_with_the_job_id(succeeded):
    # Given
    summary = succeeded.sheets.get("summary")

    # When
    values = [value for row in summary or [] for value in row]

    # Then
    assert summary is not None, f"sheets: {list(succeeded.sheets)}"
    assert succeeded.job["job_id"] in values


def test_the_job_is_listed(user, succeeded):
    # Given
    job_id = succeeded.job["job_id"]

    # When
    listed = user.all_jobs()

    # Then
    assert job_id in [item["job_id"] for item in listed]


def test_another_user_gets_404_on_the_job(second_user, succeeded):
    # Given
    job_id = succeeded.job["job_id"]

    # When
    answers = [
        second_user.request("GET", f"/jobs/{job_id}").status_code,
        second_user.request("GET", f"/jobs/{job_id}/result").status_code,
    ]

    # Then
    assert answers == [404, 404]


def test_a_malformed_csv_ends_rejected_with_its_reason(local_stack, user):
    # Given a CSV whose second data row has text where a number is required
    lines = feature_csv(3).decode().splitlines()
    cells = lines[2].split(",")
    cells[0] = "not-a-number"
    lines[2] = ",".join(cells)
    malformed = ("\n".join(lines) + "\n").encode()

    # When
    job = wait_until_final(user, user.submit(malformed, "malformed.csv"), local_stack)

    # Then
    assert job["status"] == "REJECTED", job
    assert job["error"]["code"], job
    assert job["error"]["message"], job
    assert any(
        detail.get("line") == 3 and detail.get("column") == "mean radius"
        for detail in job["error"]["details"]
    ), job


def test_an_upload_over_the_limit_is_rejected_at_validation_as_too_large(local_stack, user):
    # Given a file one byte over the limit (the emulator does not enforce the POST's policy)
    limit = user.get_json("/model")["max_upload_bytes"]
    header = feature_csv(1)
    oversized = header + b"0" * (limit + 1 - len(header))
    created = user.create_job("big.csv")

    # When
    upload_presigned(created["upload"], oversized, "big.csv")
    job = wait_until_final(user, created["job_id"], local_stack)

    # Then
    assert (job["status"], job["error"]["code"]) == ("REJECTED", "too_large"), job
    assert job["rows_total"] in (None, 0), job
