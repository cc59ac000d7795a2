"""The engine measures drift itself: `ScoreSummary.drift` and the workbook's `drift` sheet."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from batchscore_model.bundle import Bundle
from batchscore_model.drift_sheet import DRIFT_SHEET, HEADER
from batchscore_model.engine import EngineOptions, ScoreSummary, score_csv
from tests.unit.model.drift_support import resample, shipped_bundle, shipped_training_frame


@pytest.fixture(scope="module")
def shipped() -> tuple[Bundle, pd.DataFrame]:
    return shipped_bundle(), shipped_training_frame()


def score(bundle: Bundle, frame: pd.DataFrame, target: Path, **options: object) -> ScoreSummary:
    source = io.BytesIO(frame.to_csv(index=False).encode("utf-8"))
    return score_csv(source, bundle, target, options=EngineOptions.model_validate(options))


def test_a_shifted_file_has_drift_on_its_summary_and_a_drift_sheet(shipped, tmp_path) -> None:
    # Given: half a deviation added to one column of 1,000 rows, scored in chunks of 300
    bundle, training = shipped
    frame = resample(training, 1000, seed=11)
    frame["mean smoothness"] += 0.5 * training["mean smoothness"].std()
    target = tmp_path / "out.xlsx"
    # When
    summary = score(bundle, frame, target, chunk_rows=300)
    # Then
    assert summary.drift is not None
    assert summary.drift["status"] == "drift"
    features = summary.drift["features"]
    assert isinstance(features, list)
    assert features[0]["name"] == "mean smoothness"
    workbook = openpyxl.load_workbook(target, read_only=True)
    # the shifted values past the training range also give a warnings sheet; drift comes last
    assert workbook.sheetnames[:2] == ["predictions", "summary"]
    assert workbook.sheetnames[-1] == DRIFT_SHEET
    assert summary.sheets == workbook.sheetnames
    rows = list(workbook[DRIFT_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][:2] == ("(all)", "drift")
    named = [row for row in rows[1:] if row[0] == "mean smoothness"]
    assert named
    assert {row[1] for row in named} == {"drift"}


def test_an_unshifted_file_is_ok(shipped, tmp_path) -> None:
    # Given
    bundle, training = shipped
    frame = resample(training, 2000, seed=12)
    # When
    summary = score(bundle, frame, tmp_path / "out.xlsx")
    # Then
    assert summary.drift is not None
    assert summary.drift["status"] == "ok"


def test_a_bundle_without_a_reference_is_unavailable_and_has_no_drift_sheet(
    shipped, tmp_path
) -> None:
    # Given
    bundle, training = shipped
    plain = Bundle(bundle.estimator, bundle.info, bundle.metadata)
    target = tmp_path / "out.xlsx"
    # When
    summary = score(plain, resample(training, 50, seed=13), target)
    # Then
    assert summary.drift is not None
    assert summary.drift["status"] == "unavailable"
    assert DRIFT_SHEET not in openpyxl.load_workbook(target, read_only=True).sheetnames


def test_drift_can_be_switched_off(shipped, tmp_path) -> None:
    # Given
    bundle, training = shipped
    target = tmp_path / "out.xlsx"
    # When
    summary = score(bundle, resample(training, 50, seed=14), target, drift=False)
    # Then
    assert summary.drift is None
    assert openpyxl.load_workbook(target, read_only=True).sheetnames == ["predictions", "summary"]
