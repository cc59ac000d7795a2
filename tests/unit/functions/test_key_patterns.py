"""Input keys are matched whole: a trailing newline is not a way to alias another file."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from batchscore_core.keys import DroppedInput, UnknownKey, outbox_result_key, parse_input_key
from batchscore_core.models import JobId

JOB = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "key",
    [
        "dropbox/acme/scores.csv\n",  # `$` matched before the newline: outbox/acme/scores.xlsx
        f"uploads/owner-1/{JOB}/input.csv\n",
        "dropbox/acme/scores.csv\nx",
        f"uploads/owner\n/{JOB}/input.csv",
    ],
)
def test_a_key_with_a_newline_is_not_an_input(key):
    # When / Then
    with pytest.raises(UnknownKey):
        parse_input_key(key)


def test_a_plain_dropped_key_still_parses():
    # When
    dropped = parse_input_key("dropbox/acme/2026/scores.csv")

    # Then
    assert isinstance(dropped, DroppedInput)
    assert outbox_result_key(dropped) == "outbox/acme/2026/scores.xlsx"


@pytest.mark.parametrize("value", [JOB + "\n", "\n" + JOB, JOB.upper()])
def test_a_job_id_with_a_trailing_newline_is_not_a_job_id(value):
    # When / Then
    with pytest.raises(ValidationError):
        TypeAdapter(JobId).validate_python(value)
