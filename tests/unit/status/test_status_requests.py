"""What a POST /jobs body may hold, checked before anything is stored."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from status_exceptions import InsecureCallback
from status_jobs import check_callback
from status_models import CreateJobRequest

from batchscore_core.webhook_secrets import StaticSecrets


@pytest.mark.parametrize(
    "filename", ["scores.csv", "March Scores (final).CSV", "é.csv", "a.csv.gz", "Q3.XLSX"]
)
def test_a_plain_csv_name_is_accepted(filename: str) -> None:
    # Given a plain .csv, .csv.gz or .xlsx file name
    # When a request is read with it
    request = CreateJobRequest.model_validate({"filename": filename})

    # Then the name is kept as given
    assert request.filename == filename


@pytest.mark.parametrize(
    "filename",
    [
        "a/b.csv",
        "a\\b.csv",
        "scores.xlsm",
        "a.gz",
        ".csv",
        ".xlsx",
        "tab\t.csv",
        "x" * 252 + ".csv",
    ],
)
def test_anything_else_is_refused(filename: str) -> None:
    # Given a name with a path, another extension, a control character or too long
    # When a request is read with it
    with pytest.raises(ValidationError) as raised:
        CreateJobRequest.model_validate({"filename": filename})

    # Then the error is about the filename
    assert [error["loc"] for error in raised.value.errors()] == [("filename",)]


def test_a_sheet_and_a_column_map_are_read() -> None:
    # Given a workbook's sheet and a mapping
    body = {"filename": "q.xlsx", "sheet": "Data", "column_map": {"Years": "age"}}
    # When read / Then both are kept
    request = CreateJobRequest.model_validate(body)
    assert (request.sheet, request.column_map) == ("Data", {"Years": "age"})


@pytest.mark.parametrize(
    "body",
    [
        {"filename": "q.csv", "sheet": "Data"},
        {"filename": "q.xlsx", "sheet": "x" * 32},
        {"filename": "q.csv", "column_map": {"": "age"}},
        {"filename": "q.csv", "column_map": {"a": 1}},
    ],
)
def test_a_sheet_for_a_csv_or_a_bad_map_is_refused(body: dict[str, object]) -> None:
    # Given a sheet for a CSV, a sheet name Excel cannot hold, an empty or non-text name
    # When read / Then it is refused
    with pytest.raises(ValidationError):
        CreateJobRequest.model_validate(body)


SECRETS = StaticSecrets({"owner-1": b"s"})


def test_an_https_callback_is_allowed_for_an_owner_with_a_secret() -> None:
    # Given an https callback in a deployment without loopback callbacks
    # When it is checked
    # Then it passes (no exception)
    assert (
        check_callback(
            "https://partner.example.com/hook",
            allow_loopback=False,
            secrets=SECRETS,
            owner="owner-1",
        )
        is None
    )


def test_a_loopback_http_callback_needs_the_local_setting() -> None:
    # Given a loopback http callback in a deployment without loopback callbacks
    # When it is checked
    # Then it is refused
    with pytest.raises(InsecureCallback):
        check_callback(
            "http://127.0.0.1:9000/hook", allow_loopback=False, secrets=SECRETS, owner="owner-1"
        )


def test_an_owner_without_a_secret_cannot_have_a_callback() -> None:
    # When / Then
    with pytest.raises(InsecureCallback):
        check_callback(
            "https://partner.example.com/hook",
            allow_loopback=False,
            secrets=SECRETS,
            owner="owner-2",
        )


def test_a_callback_that_is_not_http_is_refused_by_the_model() -> None:
    # Given a callback of another scheme
    # When a request is read with it
    with pytest.raises(ValidationError) as raised:
        CreateJobRequest.model_validate({"filename": "a.csv", "callback_url": "file:///etc/passwd"})

    # Then the error is about the callback
    assert [error["loc"] for error in raised.value.errors()] == [("callback_url",)]
