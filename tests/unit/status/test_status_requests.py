"""What a POST /jobs body may hold, checked before anything is stored."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from status_exceptions import InsecureCallback
from status_jobs import check_callback
from status_models import CreateJobRequest


@pytest.mark.parametrize("filename", ["scores.csv", "March Scores (final).CSV", "é.csv"])
def test_a_plain_csv_name_is_accepted(filename: str) -> None:
    # Given a plain .csv file name
    # When a request is read with it
    request = CreateJobRequest.model_validate({"filename": filename})

    # Then the name is kept as given
    assert request.filename == filename


@pytest.mark.parametrize(
    "filename", ["a/b.csv", "a\\b.csv", "scores.xlsx", ".csv", "tab\t.csv", "x" * 252 + ".csv"]
)
def test_anything_else_is_refused(filename: str) -> None:
    # Given a name with a path, another extension, a control character or too long
    # When a request is read with it
    with pytest.raises(ValidationError) as raised:
        CreateJobRequest.model_validate({"filename": filename})

    # Then the error is about the filename
    assert [error["loc"] for error in raised.value.errors()] == [("filename",)]


def test_an_https_callback_is_always_allowed() -> None:
    # Given an https callback in a deployment without insecure callbacks
    # When it is checked
    # Then it passes (no exception)
    assert check_callback("https://partner.example.com/hook", allow_insecure=False) is None


def test_a_loopback_http_callback_needs_the_local_setting() -> None:
    # Given a loopback http callback in a deployment without insecure callbacks
    # When it is checked
    # Then it is refused
    with pytest.raises(InsecureCallback):
        check_callback("http://127.0.0.1:9000/hook", allow_insecure=False)


def test_a_non_loopback_http_callback_is_refused_by_the_model() -> None:
    # Given an http callback to another host
    # When a request is read with it
    with pytest.raises(ValidationError) as raised:
        CreateJobRequest.model_validate(
            {"filename": "a.csv", "callback_url": "http://example.com/hook"}
        )

    # Then the error is about the callback
    assert [error["loc"] for error in raised.value.errors()] == [("callback_url",)]
