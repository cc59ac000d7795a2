"""The `drift` sheet, written with the engine's xlsx writer and read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from batchscore_model.drift import DriftMonitor, DriftResult
from batchscore_model.drift_sheet import DRIFT_SHEET, HEADER, write_drift_sheet
from batchscore_model.xlsx import XlsxStreamWriter
from tests.unit.model.drift_support import monitor_job, population, predict, synthetic_reference


def written(result: DriftResult, path: Path) -> list[tuple[object, ...]]:
    writer = XlsxStreamWriter(path)
    write_drift_sheet(writer, result)
    writer.close()
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == [DRIFT_SHEET]
    return list(workbook[DRIFT_SHEET].iter_rows(values_only=True))


@pytest.fixture
def drifted() -> DriftResult:
    rng = np.random.default_rng(3)
    reference = synthetic_reference(rng)
    job = population(rng, 2000)
    job["skewed"] *= 3.0
    job.loc[:99, "colour"] = '=HYPERLINK("x")'
    labels, probabilities = predict(job)
    return monitor_job(reference, job, labels, probabilities)


def test_the_sheet_lists_the_most_severe_feature_first_with_both_distributions(
    drifted: DriftResult, tmp_path: Path
) -> None:
    # When
    rows = written(drifted, tmp_path / "drift.xlsx")
    # Then
    assert list(rows[0]) == HEADER
    assert rows[1][:2] == ("(all)", "drift")
    features = [row for row in rows[2:] if not str(row[0]).startswith("prediction")]
    worst = drifted.features[0].name
    assert features[0][0] == worst
    assert features[0][1] == "drift"
    shown = [
        row for row in features if row[0] == worst and str(row[5]).startswith(("<=", "(", ">"))
    ]
    assert len(shown) == len(drifted.features[0].bins)
    assert sum(float(row[6]) for row in shown) == pytest.approx(1.0, abs=1e-3)
    assert sum(float(row[7]) for row in shown) == pytest.approx(1.0, abs=1e-3)


def test_unseen_categories_and_the_range_are_shown_as_text(
    drifted: DriftResult, tmp_path: Path
) -> None:
    # When
    rows = written(drifted, tmp_path / "drift.xlsx")
    # Then: a category that looks like a formula stays text
    labels = [str(row[5]) for row in rows]
    assert 'unseen: =HYPERLINK("x") (100)' in labels
    assert any(label.startswith("outside the training range [") for label in labels)
    assert sum(1 for row in rows if row[5] == "missing") == 1 + len(drifted.features)


def test_an_unavailable_result_is_one_explained_row(tmp_path: Path) -> None:
    # Given
    result = DriftMonitor(None).result()
    # When
    rows = written(result, tmp_path / "drift.xlsx")
    # Then
    assert rows[1][:2] == ("(all)", "unavailable")
    assert rows[1][5] == "the model version has no reference statistics"
    assert len(rows) == 2
