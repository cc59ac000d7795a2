"""Header names as people write them, matched to the schema's (csvcheck.match_header)."""

from __future__ import annotations

import pytest

from batchscore_core.keys import INPUT_EXTENSIONS, result_stem, upload_key
from batchscore_model.csvcheck import match_header, precheck
from batchscore_model.errors import InputRejected
from batchscore_model.input_formats import EXTENSIONS

SCHEMA = ["age", "annual income", "region"]


def test_case_surrounding_and_non_breaking_spaces_match_and_are_listed() -> None:
    # Given names differing in case, surrounding spaces and a non-breaking space
    written = [" AGE", "Annual\u00a0Income\u00a0", "region", "notes"]

    # When matched
    matched = match_header(written, SCHEMA)

    # Then each reads as the schema's name, the others stay, and each change is listed
    assert matched.names == ["age", "annual income", "region", "notes"]
    assert matched.written == ["AGE", "Annual\u00a0Income", "region", "notes"]
    assert matched.matches == [
        ("AGE", "age", "case/spaces"),
        ("Annual\u00a0Income", "annual income", "case/spaces"),
    ]


def test_a_column_map_renames_before_any_other_rule() -> None:
    # Given a mapping from the file's name to the schema's
    matched = match_header(["Years", "income"], SCHEMA, {"years": "age", "income": "annual income"})

    # Then mapped names are read as mapped (the map's keys match like headers do)
    assert matched.names == ["age", "annual income"]
    assert [why for *_, why in matched.matches] == ["column_map", "column_map"]


def test_two_columns_on_one_name_are_rejected_naming_both() -> None:
    # Given the schema's name written twice in two ways
    with pytest.raises(InputRejected) as caught:
        match_header(["age", "Age ", "region"], SCHEMA, line=3)

    # Then the rejection names both and the schema column
    assert caught.value.code == "ambiguous_columns"
    assert "'age' and 'Age'" in caught.value.message
    assert caught.value.details[0] == {
        "line": 3,
        "column": "age",
        "message": "columns 'age' and 'Age' both match the model's column 'age'",
    }


def test_a_mapped_column_clashing_with_a_named_one_is_ambiguous() -> None:
    # Given a mapping onto a name the file also has
    with pytest.raises(InputRejected) as caught:
        match_header(["Years", "age"], SCHEMA, {"Years": "age"})
    # Then it is refused as ambiguous
    assert caught.value.code == "ambiguous_columns"


def test_a_map_onto_a_column_the_model_lacks_is_refused() -> None:
    with pytest.raises(InputRejected) as caught:
        match_header(["x"], SCHEMA, {"x": "height"})
    assert caught.value.code == "bad_column_map"
    assert "'height'" in caught.value.message


def test_the_same_name_twice_stays_a_duplicate() -> None:
    # Given the exact name twice / Then the upload pre-check says duplicate, as before
    with pytest.raises(InputRejected) as caught:
        precheck(
            b"age,age,annual income,region\n1,2,3,x\n",
            total_size=38,
            max_bytes=1000,
            required_columns=SCHEMA,
            filename="f.csv",
            column_names=SCHEMA,
        )
    assert caught.value.code == "duplicate_columns"


def test_the_upload_pre_check_accepts_loose_names_for_required_columns() -> None:
    # Given required columns written loosely / When pre-checked with the schema's names
    head = b"AGE,Annual Income ,Region\n1,2,x\n"
    shape = precheck(
        head,
        total_size=len(head),
        max_bytes=1000,
        required_columns=SCHEMA,
        filename="f.csv",
        column_names=SCHEMA,
    )
    # Then it passes, with the schema's names
    assert shape.columns == SCHEMA


def test_core_and_model_agree_on_the_input_kinds() -> None:
    # Given the two lists of extensions / Then they are the same, longest first
    assert list(INPUT_EXTENSIONS) == list(EXTENSIONS)
    assert upload_key("o", "j" * 32, "Q.XLSX").endswith("/input.xlsx")
    assert result_stem("march.csv.gz") == "march"
    assert result_stem("book.xlsx") == "book"
