"""The monitor on the chunks the engine really predicts on (parsed CSV text, not test frames).

The bundle below watches `predict_frame`, the call after which the engine will call
`DriftMonitor.update`, so these tests hold for whatever the engine's chunk loop becomes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from batchscore_model.bundle import Bundle, Prediction
from batchscore_model.derive import build_info
from batchscore_model.drift import DriftMonitor, DriftResult
from batchscore_model.drift_reference import build_reference
from batchscore_model.engine import EngineOptions, score_csv
from tests.bundle_metadata import synthetic_metadata
from tests.unit.model.drift_support import resample, shipped_bundle, shipped_training_frame


class WatchedBundle(Bundle):
    """A bundle whose every prediction also goes through a drift monitor."""

    def __init__(self, bundle: Bundle) -> None:
        super().__init__(bundle.estimator, bundle.info, bundle.metadata, bundle.reference)
        self.monitor = DriftMonitor(bundle.reference)

    def predict_frame(self, features: pd.DataFrame) -> Prediction:
        prediction = super().predict_frame(features)
        self.monitor.update(features, prediction.labels, prediction.probabilities)
        return prediction


def scored(bundle: Bundle, frame: pd.DataFrame, tmp_path: Path, **options: Any) -> DriftResult:
    watched = WatchedBundle(bundle)
    source = io.BytesIO(frame.to_csv(index=False).encode("utf-8"))
    score_csv(source, watched, tmp_path / "out.xlsx", options=EngineOptions(**options))
    return watched.monitor.result()


@pytest.fixture(scope="module")
def shipped() -> tuple[Bundle, pd.DataFrame]:
    return shipped_bundle(), shipped_training_frame()


def test_a_csv_like_the_training_data_is_ok_through_the_engine(shipped, tmp_path: Path) -> None:
    # Given
    bundle, training = shipped
    frame = resample(training, 3000, seed=1)
    # When
    result = scored(bundle, frame, tmp_path, chunk_rows=700)
    # Then
    assert result.rows == 3000
    assert result.to_job()["status"] == "ok"


def test_a_shifted_column_in_a_csv_is_drift_through_the_engine(shipped, tmp_path: Path) -> None:
    # Given
    bundle, training = shipped
    frame = resample(training, 1000, seed=2)
    frame["mean texture"] += 0.5 * training["mean texture"].std()
    # When
    result = scored(bundle, frame, tmp_path)
    # Then
    drift = result.to_job()
    assert drift["status"] == "drift"
    assert drift["features"][0]["name"] == "mean texture"
    assert result.flagged == ["mean texture"]


def test_blank_cells_in_a_csv_count_as_missing(shipped, tmp_path: Path) -> None:
    # Given: a column left empty in every row (the bundle imputes it)
    bundle, training = shipped
    frame = resample(training, 500, seed=3)
    frame["mean area"] = np.nan
    # When
    result = scored(bundle, frame, tmp_path)
    # Then
    area = next(d for d in result.features if d.name == "mean area")
    assert area.missing_job == 1.0
    assert area.status == "drift"


def regression_bundle() -> tuple[Bundle, pd.DataFrame]:
    """A regressor over one numeric and one categorical column, with its reference."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "size": rng.normal(50.0, 10.0, 400),
            "city": rng.choice(np.array(["oslo", "rome", "lima"], dtype=object), 400),
        }
    )
    target = 2.0 * frame["size"] + (frame["city"] == "rome") * 30.0
    encode = ColumnTransformer(
        [
            ("size", SimpleImputer(), ["size"]),
            ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ]
    )
    pipeline = Pipeline([("encode", encode), ("model", LinearRegression())]).fit(frame, target)
    info = build_info(pipeline, frame, version="houses-1", accepts_missing=True)
    metadata = synthetic_metadata(
        "houses-1", "LinearRegression", rows_train=300, rows_holdout=100, metric=("r2", 0.9)
    )
    plain = Bundle(pipeline, info, metadata)
    holdout = plain.predict_frame(frame.iloc[300:])
    reference = build_reference(frame.iloc[:300], info, holdout.labels, holdout.probabilities)
    return Bundle(pipeline, info, metadata, reference), frame


def test_a_regressor_with_a_categorical_column_through_the_engine(tmp_path: Path) -> None:
    # Given: a file where a tenth of the cities are new and the sizes grew
    bundle, frame = regression_bundle()
    job = frame.iloc[:1000].copy()
    job = pd.concat([job, job.assign(size=job["size"] + 40.0)], ignore_index=True)
    job.loc[:39, "city"] = "quito"
    job.loc[40:49, "city"] = ""
    # When
    result = scored(bundle, job, tmp_path)
    # Then
    city = next(d for d in result.features if d.name == "city")
    assert city.unseen_examples == [("quito", 40)]
    assert city.missing_job == pytest.approx(10 / 800)
    assert result.prediction is not None
    assert result.prediction.name == "prediction"
    assert result.prediction.status == "drift"
    assert "size" in result.flagged
