"""The workbook an analyst opens: formats, color scales, the summary's chart, the columns sheet,
the reason columns; read back with openpyxl, also after openpyxl saved it again."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batchscore_model.bundle import load_bundle
from batchscore_model.engine import EngineOptions, score_csv

ROOT = Path(__file__).resolve().parents[3]
CSV = "a,b\n1,5\n-1,5\n0.5,4\n2,6\n"


def _round_trip(workbook: openpyxl.Workbook, tmp_path: Path) -> openpyxl.Workbook:
    again = tmp_path / "again.xlsx"
    workbook.save(again)
    return openpyxl.load_workbook(again)


def _color_scale_ranges(sheet) -> dict[str, str]:
    return {
        str(entry.sqref): entry.rules[0].type
        for entry in sheet.conditional_formatting
        if entry.rules
    }


def test_probabilities_are_percentages_with_a_color_scale(score) -> None:
    # When
    _, workbook = score(CSV)
    # Then: columns C, D are probability_no, probability_yes over the 4 data rows
    sheet = workbook["predictions"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["a", "b", "prediction", "probability_no", "probability_yes"]
    assert {sheet.cell(row, 4).number_format for row in range(2, 6)} == {"0.0%"}
    assert {sheet.cell(row, 5).number_format for row in range(2, 6)} == {"0.0%"}
    assert sheet.cell(2, 1).number_format == "General"  # the input is left as written
    assert _color_scale_ranges(sheet) == {"D2:D5": "colorScale", "E2:E5": "colorScale"}


def test_the_summary_has_a_native_chart_of_the_class_counts_after_a_round_trip(
    score, tmp_path: Path
) -> None:
    # When
    summary, workbook = score(CSV)
    again = _round_trip(workbook, tmp_path)
    # Then: one bar chart whose series reads the summary's "prediction <class>" rows
    for book in (workbook, again):
        charts = book["summary"]._charts
        assert len(charts) == 1
        assert charts[0].tagname == "barChart"
        series = charts[0].series[0]
        items = [row[0] for row in book["summary"].iter_rows(values_only=True)]
        first, last = items.index("prediction no") + 1, items.index("prediction yes") + 1
        assert series.val.numRef.f == f"'summary'!$B${first}:$B${last}"
        assert series.cat.strRef.f == f"'summary'!$A${first}:$A${last}"
    assert sum(summary.prediction_counts.values()) == 4


def test_the_columns_sheet_documents_every_column_and_the_model(score) -> None:
    # Given: a column the model does not read
    text = "id,a,b\nx1,1,5\nx2,-1,5\n"
    # When
    _, workbook = score(text, explain=True)
    # Then
    rows = list(workbook["columns"].iter_rows(values_only=True))
    assert rows[0] == ("column", "role", "type", "description")
    described = {row[0]: row for row in rows[1:]}
    expected = ["id", "a", "b", "prediction", "probability_no", "probability_yes"]
    assert [*expected, "reason_1", "reason_2", "reason_3"] == [row[0] for row in rows[1:10]]
    assert described["id"][1] == "input"
    assert described["a"][1:3] == ("model input", "number")
    assert "training range" in described["a"][3]
    assert described["probability_yes"][1] == "prediction"
    assert described["reason_1"][1] == "reason"
    facts = {row[0]: row[3] for row in rows if row[1] == "model"}
    assert facts["version"] == "test-1"
    assert facts["trained_at"].startswith("2026-01-01")
    assert facts["metric accuracy"] == pytest.approx(0.9)


def test_reason_columns_follow_the_predictions_when_explaining(score) -> None:
    # When
    summary, workbook = score(CSV, explain=True)
    # Then
    sheet = workbook["predictions"]
    header = [cell.value for cell in sheet[1]]
    assert header[-3:] == ["reason_1", "reason_2", "reason_3"]
    first = [cell.value for cell in sheet[2]]
    assert first[-3].startswith(("a = 1 ", "b = 5 "))
    assert " yes by " in first[-3]
    assert first[-1] == "" or first[-1] is None  # two inputs: no third reason
    assert "explain" in summary.timings


def test_a_regressor_gets_decimals_a_color_scale_and_a_histogram(tmp_path: Path) -> None:
    # Given: the shipped diabetes ridge and rows of its training range
    bundle = load_bundle(ROOT / "models/diabetes/ridge")
    rows = pd.DataFrame(
        {
            spec.name: [spec.min + (spec.max - spec.min) * k / 49 for k in range(50)]
            for spec in bundle.info.columns
        }
    )
    target = tmp_path / "out.xlsx"
    # When
    summary = score_csv(
        io.BytesIO(rows.to_csv(index=False).encode()),
        bundle,
        target,
        options=EngineOptions(explain=True),
        model_name="diabetes",
    )
    # Then
    workbook = _round_trip(openpyxl.load_workbook(target), tmp_path)
    sheet = workbook["predictions"]
    column = len(bundle.info.columns) + 1
    assert sheet.cell(2, column).number_format == "#,##0.00"
    assert "colorScale" in _color_scale_ranges(sheet).values()
    bins = summary.prediction_histogram
    assert sum(b["count"] for b in bins) == 50
    assert len(workbook["summary"]._charts) == 1
    items = {row[0]: row[1] for row in workbook["summary"].iter_rows(values_only=True)}
    assert sum(v for k, v in items.items() if str(k).startswith("histogram ")) == 50
    facts = {row[0]: row[3] for row in workbook["columns"].iter_rows(values_only=True)}
    assert facts["name"] == "diabetes"
