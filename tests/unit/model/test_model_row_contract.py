"""One row contract: the same rows sent as a CSV to the engine and as JSON to `/predict`
get the same predictions, the same problems and the same warnings."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from batchscore_model.bundle import Bundle
from batchscore_model.engine import EngineOptions, score_csv

# (CSV fields for a and b, the same row as JSON); a is ~N(0, 1) and b ~N(5, 2) in training
ROWS = [
    ("0.5", "5", {"a": 0.5, "b": 5}),  # plain
    ("", "4.5", {"b": 4.5}),  # a absent / empty: imputed
    ("NA", "5", {"a": "NA", "b": "5"}),  # a missing token: imputed
    ("  ", "6", {"a": "  ", "b": 6}),  # blank: imputed
    ("null", "3", {"a": None, "b": 3}),  # null: imputed
    ("9", "5", {"a": 9, "b": 5.0}),  # out of the training range: scored, with a warning
    ("-1e9", "5", {"a": -1e9, "b": "5"}),  # far out of range
    ("abc", "5", {"a": "abc", "b": 5}),  # wrong type: a problem
    ("1e999", "5", {"a": "1e999", "b": 5}),  # not finite: a problem
    ("9" * 400, "5", {"a": 10**400, "b": 5}),  # an integer past float's range: a problem
    ("true", "5", {"a": True, "b": 5}),  # a boolean is not a number
    ("0.1", "5.5", {"a": "0.1", "b": 5.5, "extra": "ignored"}),  # extra column
]


def csv_side(bundle: Bundle, tmp_path: Path, **options: object):
    lines = ["a,b,extra"] + [f"{a},{b},x" for a, b, _ in ROWS]
    target = tmp_path / "out.xlsx"
    data = ("\n".join(lines) + "\n").encode()
    try:
        summary = score_csv(
            io.BytesIO(data), bundle, target, options=EngineOptions(bad_rows="skip", **options)
        )
    except Exception as exc:  # too many bad rows for skip: read the problems off the error
        raise AssertionError(exc) from exc
    return summary, openpyxl.load_workbook(target)


def reason(message: str) -> str:
    """The message without the CSV's `line N, column 'x': ` prefix."""
    return message.split(": ", 1)[1]


def same_cells(
    csv_problems: Sequence[Mapping[str, Any]], json_errors: Sequence[Mapping[str, Any]]
) -> list[tuple[int, str]]:
    """The (row, column) each problem names, checked to be the same on the CSV side and the JSON
    side (the CSV's line 2 is row 0)."""
    cells = [(p["line"] - 2, p["column"]) for p in csv_problems]
    assert cells == [(e["row"], e["column"]) for e in json_errors]
    return cells


def test_csv_and_json_rows_get_the_same_problems_warnings_and_predictions(
    bundle: Bundle, tmp_path: Path
) -> None:
    # Given
    json_rows = json.loads(json.dumps([row for _, _, row in ROWS]))  # as the API parses them
    # When
    summary, workbook = csv_side(bundle, tmp_path, max_bad_fraction=1.0)
    results, errors = bundle.predict_records(json_rows)
    checked = bundle.contract.check(
        {name: [row.get(name) for row in json_rows] for name in bundle.info.feature_names},
        len(json_rows),
        room=100,
        text_values=False,
    )
    # Then: problems, by row
    assert same_cells(summary.problems, errors) == [(7, "a"), (8, "a"), (9, "a"), (10, "a")]
    assert [reason(p["message"]).split(" is ")[1] for p in summary.problems] == [
        e["message"].split(" is ")[1] for e in errors
    ]
    # warnings: the same cells for the same reasons
    csv_warnings = [(w["line"] - 2, w["column"], reason(w["message"])) for w in summary.warnings]
    json_warnings = [(w.index, w.column, w.reason) for w in checked.warnings]
    assert csv_warnings == json_warnings
    assert {(row, column) for row, column, _ in json_warnings} == {
        (1, "a"),
        (2, "a"),
        (3, "a"),
        (4, "a"),
        (5, "a"),
        (6, "a"),
    }
    # predictions: the same rows scored, the same probabilities (approximately: BLAS batches)
    sheet = list(workbook["predictions"].iter_rows(min_row=2, values_only=True))
    assert [r["row"] for r in results] == [0, 1, 2, 3, 4, 5, 6, 11]
    assert len(sheet) == len(results)
    for written, result in zip(sheet, results, strict=True):
        assert written[3] == result["prediction"]
        assert written[4] == pytest.approx(result["probabilities"]["no"], rel=1e-9)
        assert written[5] == pytest.approx(result["probabilities"]["yes"], rel=1e-9)


def test_a_model_that_cannot_impute_refuses_missing_values_both_ways(
    strict_bundle: Bundle, tmp_path: Path
) -> None:
    # Given
    json_rows = [row for _, _, row in ROWS[:5]]
    # When
    summary, _ = csv_side(strict_bundle, tmp_path, max_bad_fraction=1.0)
    _, errors = strict_bundle.predict_records(json_rows)
    # Then
    csv_required = [p for p in summary.problems if "required" in p["message"]]
    assert same_cells(csv_required, errors) == [(1, "a"), (2, "a"), (3, "a"), (4, "a")]
