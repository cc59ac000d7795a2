"""`POST /predict` meets the CSV's row contract: no 500 for a hostile number, NA is missing."""

from __future__ import annotations

from batchscore_model.loaded import model_bundle
from tests.unit.functions.test_predict_handler import call, row


def test_an_integer_of_400_digits_is_an_invalid_row_not_a_server_error() -> None:
    # Given: JSON allows 10**400; a float does not
    first = model_bundle().info.feature_names[0]
    rows = [row(0)]
    text = (
        '{"rows": [{'
        + ", ".join(
            f'"{name}": {10**400 if name == first else value!r}' for name, value in rows[0].items()
        )
        + "}]}"
    )
    # When
    status, answer = call(text)
    # Then
    assert (status, answer["error"]["code"]) == (422, "invalid_rows")
    assert [(d["line"], d["column"]) for d in answer["error"]["details"]] == [(1, first)]


def test_na_is_missing_and_imputed_as_in_a_csv() -> None:
    # Given: the default model imputes; "NA" is a missing token in a CSV
    first = model_bundle().info.feature_names[0]
    rows = [{**row(0), first: "NA"}]
    # When
    status, answer = call({"rows": rows})
    # Then
    assert status == 200
    assert len(answer["predictions"]) == 1
