from __future__ import annotations

import pytest

from batchscore_model.csvcheck import precheck, sniff_delimiter
from batchscore_model.errors import InputRejected


def check(head: bytes, *, required: list[str] | None = None, total: int | None = None):
    return precheck(
        head,
        total_size=len(head) if total is None else total,
        max_bytes=1000,
        required_columns=required if required is not None else ["a", "b"],
        filename="in.csv",
    )


def test_a_well_formed_head_gives_its_shape() -> None:
    # Given
    head = b"a,b,extra\n1,2,x\n"
    # When
    shape = check(head)
    # Then
    assert (shape.delimiter, shape.columns, shape.encoding) == (",", ["a", "b", "extra"], "utf-8")


def test_a_bom_is_accepted_and_reported() -> None:
    # Given
    head = b"\xef\xbb\xbfa,b\n1,2\n"
    # When
    shape = check(head)
    # Then
    assert (shape.columns, shape.encoding) == (["a", "b"], "utf-8-sig")


@pytest.mark.parametrize(("text", "delimiter"), [("a;b\n1;2\n", ";"), ("a\tb\n1\t2\n", "\t")])
def test_semicolon_and_tab_delimiters_are_detected(text: str, delimiter: str) -> None:
    # Given / When
    shape = check(text.encode())
    # Then
    assert shape.delimiter == delimiter


def test_delimiters_inside_quotes_do_not_count() -> None:
    # Given
    text = '"x;y;z",b\n'
    # When
    delimiter = sniff_delimiter(text)
    # Then
    assert delimiter == ","


def test_an_object_over_the_limit_is_too_large() -> None:
    # Given
    head = b"a,b\n1,2\n"
    # When
    with pytest.raises(InputRejected) as caught:
        check(head, total=5000)
    # Then
    assert caught.value.code == "too_large"


@pytest.mark.parametrize("head", [b"", b"\xef\xbb\xbf", b"\r\n\n  \n"])
def test_an_empty_file_is_rejected(head: bytes) -> None:
    # Given / When
    with pytest.raises(InputRejected) as caught:
        check(head)
    # Then
    assert caught.value.code == "empty_file"


def test_undecodable_bytes_are_located_by_line_and_column() -> None:
    # Given
    head = b"a,b\n1,2\n3,\xff\n"
    # When
    with pytest.raises(InputRejected) as caught:
        check(head)
    # Then
    assert caught.value.code == "undecodable"
    assert (caught.value.details[0]["line"], caught.value.details[0]["column"]) == (3, "b")
    assert "character 3" in caught.value.details[0]["message"]


def test_a_character_cut_at_the_end_of_a_partial_head_is_not_an_error() -> None:
    # Given: the head stops in the middle of a two-byte "é"
    head = "a,b\n1,é".encode()[:-1]
    # When
    shape = check(head, total=100)
    # Then
    assert shape.columns == ["a", "b"]


def test_duplicate_columns_are_named() -> None:
    # Given
    head = b"a,b,a\n1,2,3\n"
    # When
    with pytest.raises(InputRejected) as caught:
        check(head)
    # Then
    assert caught.value.code == "duplicate_columns"
    assert caught.value.details == [
        {"line": 1, "column": "a", "message": "column 'a' appears more than once in the header"}
    ]


def test_every_missing_required_column_is_named() -> None:
    # Given
    head = b"x\n1\n"
    # When
    with pytest.raises(InputRejected) as caught:
        check(head, required=["a", "b", "x"])
    # Then
    assert caught.value.code == "missing_columns"
    assert [item["column"] for item in caught.value.details] == ["a", "b"]


def test_a_header_without_rows_is_header_only() -> None:
    # Given
    head = b"a,b\r\n\r\n"
    # When
    with pytest.raises(InputRejected) as caught:
        check(head)
    # Then
    assert caught.value.code == "header_only"
    assert caught.value.details[0]["line"] == 2


def test_a_partial_head_with_only_the_header_is_not_judged_header_only() -> None:
    # Given
    head = b"a,b\n"
    # When
    shape = check(head, total=900)
    # Then
    assert shape.columns == ["a", "b"]
