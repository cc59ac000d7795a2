"""Job-level rejections and the bad-rows policy, each with its line and column."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from batchscore_model.bundle import Bundle
from batchscore_model.engine import EngineOptions, score_csv
from batchscore_model.errors import InputRejected


def rejection(score, content: str | bytes, **options: object) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        score(content, **options)
    return caught.value


@pytest.mark.parametrize("content", ["", "\ufeff", "\n\r\n  \n"])
def test_an_empty_file_is_rejected(score, content: str) -> None:
    # Given / When
    error = rejection(score, content)
    # Then
    assert error.code == "empty_file"


def test_a_header_without_rows_is_rejected_on_the_next_line(score) -> None:
    # Given / When
    error = rejection(score, "a,b\n\n")
    # Then
    assert error.code == "header_only"
    assert error.details[0]["line"] == 2


def test_duplicate_column_names_are_rejected(score) -> None:
    # Given / When
    error = rejection(score, "a,b,b\n1,2,3\n")
    # Then
    assert error.code == "duplicate_columns"
    assert [(d["line"], d["column"]) for d in error.details] == [(1, "b")]


def test_every_missing_required_column_is_named(score) -> None:
    # Given / When
    error = rejection(score, "x,y\n1,2\n")
    # Then
    assert error.code == "missing_columns"
    assert [d["column"] for d in error.details] == ["a", "b"]


def test_a_non_numeric_value_is_rejected_with_line_and_column(score) -> None:
    # Given / When
    error = rejection(score, "a,b\n1,2\n3,abc\n")
    # Then
    assert error.code == "bad_value"
    assert error.details == [
        {"line": 3, "column": "b", "message": "line 3, column 'b': 'abc' is not a number"}
    ]


def test_line_numbers_count_embedded_newlines(score) -> None:
    # Given: the first record spans lines 2-3, so the bad record is on line 4
    content = 'a,b,note\n1,2,"two\nlines"\n3,x,"ok"\n'
    # When
    error = rejection(score, content)
    # Then
    assert (error.details[0]["line"], error.details[0]["column"]) == (4, "b")


def test_infinity_is_not_a_number(score) -> None:
    # Given / When
    error = rejection(score, "a,b\n1,inf\n")
    # Then
    assert (error.code, error.details[0]["line"], error.details[0]["column"]) == (
        "bad_value",
        2,
        "b",
    )


def test_a_row_with_the_wrong_number_of_fields_is_rejected(score) -> None:
    # Given / When
    error = rejection(score, "a,b\n1,2\n3\n")
    # Then
    assert error.code == "wrong_field_count"
    assert error.details[0] == {
        "line": 3,
        "column": None,
        "message": "line 3: 1 fields, expected 2",
    }


def test_undecodable_bytes_are_rejected_with_line_and_column(score) -> None:
    # Given
    content = b"a,b,note\n1,2,ok\n3,4,caf\xe9\n"
    # When
    error = rejection(score, content)
    # Then
    assert error.code == "undecodable"
    assert (error.details[0]["line"], error.details[0]["column"]) == (3, "note")


def test_a_missing_value_is_rejected_when_the_model_cannot_impute(score, strict_bundle) -> None:
    # Given / When
    error = rejection(score, "a,b\n1,\n", using=strict_bundle)
    # Then
    assert error.code == "missing_value"
    assert (error.details[0]["line"], error.details[0]["column"]) == (2, "b")


def test_skip_scores_the_good_rows_and_lists_the_bad_ones(score) -> None:
    # Given: 1 bad row in 25
    content = "a,b\n" + "".join(f"{i},1\n" for i in range(12)) + "x,1\n" + "1,1\n" * 12
    # When
    summary, workbook = score(content, bad_rows="skip")
    # Then
    assert (summary.rows_read, summary.rows_scored, summary.rows_rejected) == (25, 24, 1)
    # a = 3..11 is past the training range: scored, with warnings
    assert workbook.sheetnames == ["predictions", "summary", "errors", "warnings", "columns"]
    errors = list(workbook["errors"].iter_rows(values_only=True))
    assert errors == [
        ("line", "column", "message"),
        (14, "a", "line 14, column 'a': 'x' is not a number"),
    ]
    assert workbook["predictions"].max_row == 25


def test_skip_still_rejects_when_too_many_rows_are_bad(score) -> None:
    # Given: 2 bad rows in 4, above the 5% default
    content = "a,b\n1,1\nx,1\n2,y\n3,3\n"
    # When
    error = rejection(score, content, bad_rows="skip")
    # Then
    assert error.code == "too_many_bad_rows"
    assert [(d["line"], d["column"]) for d in error.details] == [(3, "a"), (4, "b")]


def test_a_rejected_job_leaves_no_partial_file(bundle: Bundle, tmp_path: Path) -> None:
    # Given
    target = tmp_path / "out.xlsx"
    source = io.BytesIO(b"a,b\n1,1\n" + b"2,oops\n")
    # When
    with pytest.raises(InputRejected):
        score_csv(source, bundle, target, options=EngineOptions(chunk_rows=1))
    # Then
    assert not target.exists()
