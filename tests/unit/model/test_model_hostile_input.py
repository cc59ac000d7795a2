"""Hostile files (issue 14): each ends in a typed rejection with a line, or a workbook that
opens; never an unexpected exception, never work that grows faster than the input."""

from __future__ import annotations

import io
import time
import tracemalloc
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from batchscore_model.bundle import Bundle
from batchscore_model.csvcheck import MAX_FIELD_CHARS, precheck
from batchscore_model.engine import score_csv
from batchscore_model.errors import InputRejected


def rejection(score, content: str | bytes, **options: object) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        score(content, **options)
    return caught.value


def test_an_unclosed_quote_before_many_newlines_costs_time_linear_in_the_input(score) -> None:
    # Given: a header, one row, then a quote and 2 MB of newlines (0.4 MB took 21.9 s before)
    content = "a,b\n1,2\n" + '"' + "\n" * (2 << 20)
    # When
    started = time.perf_counter()
    error = rejection(score, content, chunk_rows=20_000)
    elapsed = time.perf_counter() - started
    # Then: a bound far above linear work even on a loaded machine, far below quadratic
    assert error.code == "unbalanced_quotes"
    assert error.details[0]["line"] == 3
    assert elapsed < 30


def test_a_quote_closed_far_away_still_cuts_chunks_at_record_ends(score) -> None:
    # Given: a field with 3,000 newlines in it, small chunks around it
    field = '"' + "x\n" * 3000 + '"'
    content = "a,b,note\n" + "".join(f"{i},2,n{i}\n" for i in range(50)) + f"7,8,{field}\n9,9,z\n"
    # When
    summary, workbook = score(content, chunk_rows=7, chunk_chars=64)
    # Then
    values = [row for row in workbook["predictions"].iter_rows(min_row=2, values_only=True)]
    assert summary.rows_read == 52
    assert values[50][2] == "x\n" * 3000
    assert values[51][:3] == (9, 9, "z")


@pytest.mark.parametrize("content", ["a,b\r1,2\r3,4\r", "a,b\r\n1,2\r3,4\r\n"])
def test_lines_ending_in_cr_alone_are_rejected_with_the_line(score, content: str) -> None:
    # Given / When
    error = rejection(score, content)
    # Then
    assert error.code == "bad_line_ends"
    assert error.details[0]["line"] in (1, 2)


def test_the_upload_precheck_rejects_cr_only_line_ends() -> None:
    # Given
    head = b"a,b\r1,2\r3,4\r"
    # When
    with pytest.raises(InputRejected) as caught:
        precheck(
            head, total_size=len(head), max_bytes=1000, required_columns=["a"], filename="x.csv"
        )
    # Then
    assert caught.value.code == "bad_line_ends"


@pytest.mark.parametrize("quoted", [False, True])
def test_an_integer_of_309_digits_is_a_bad_value_not_a_crash(score, quoted: bool) -> None:
    # Given
    huge = "9" * 309
    note = ',"x, y"' if quoted else ",x"
    content = f"a,b,note\n1,2{note}\n{huge},3{note}\n"
    # When
    error = rejection(score, content)
    # Then
    assert error.code == "bad_value"
    assert [(d["line"], d["column"]) for d in error.details] == [(3, "a")]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_over_the_field_limit_is_rejected_with_the_line(score, quoted: bool) -> None:
    # Given
    long = "y" * (MAX_FIELD_CHARS + 1)
    field = f'"{long}"' if quoted else long
    content = f"a,b,note\n1,2,ok\n3,4,{field}\n"
    # When
    error = rejection(score, content)
    # Then
    assert error.code == "field_too_long"
    assert error.details[0]["line"] == 3


def test_more_columns_than_a_sheet_holds_are_rejected_before_reading_rows(score) -> None:
    # Given: 16,383 input columns + 3 outputs is past column XFD
    header = ",".join(["a", "b", *(f"x{i}" for i in range(16_381))])
    # When
    error = rejection(score, header + "\n" + "1,2" + ",0" * 16_381 + "\n")
    # Then
    assert error.code == "too_many_columns"
    assert error.details[0]["line"] == 1


def test_a_million_columns_in_a_12_mb_file_does_not_cost_a_gigabyte(
    bundle: Bundle, tmp_path: Path
) -> None:
    # Given
    header = ",".join(["a", "b", *(f"col{i}" for i in range(1_000_000))])
    content = (header + "\n" + "1,2" + ",3" * 1_000_000 + "\n").encode()
    assert 10 << 20 < len(content) < 14 << 20
    # When
    tracemalloc.start()
    with pytest.raises(InputRejected) as caught:
        score_csv(io.BytesIO(content), bundle, tmp_path / "out.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Then
    assert caught.value.code in ("too_many_columns", "record_too_long")
    assert peak < 300 << 20
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\x01", "\x0b"])
def test_xml_invalid_characters_never_make_a_corrupt_workbook(
    score, tmp_path: Path, character: str
) -> None:
    # Given: the character in a cell and in a header name
    content = f"a,b,no{character}te\n1,2,x{character}y\n3,4,plain\n"
    # When
    summary, workbook = score(content)
    # Then: every part parses as XML, and openpyxl reads the replacement character
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ElementTree.fromstring(archive.read(name))
    sheet = workbook["predictions"]
    assert sheet["C1"].value == "no\ufffdte"
    assert sheet["C2"].value == "x\ufffdy"
    assert [(w["line"], w["column"]) for w in summary.warnings if "U+" in w["message"]] == [
        (1, f"no{character}te"),
        (2, f"no{character}te"),
    ]
