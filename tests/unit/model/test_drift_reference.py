"""Reference statistics: what they hold, their file, and the bundle that carries them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from batchscore_model import checksums
from batchscore_model.bundle import load_bundle
from batchscore_model.drift import DriftMonitor, psi
from batchscore_model.drift_reference import (
    REFERENCE_FILE,
    CategoricalReference,
    NumericReference,
    build_reference,
    load_reference,
)
from batchscore_model.errors import BundleError
from batchscore_model.schema import ColumnSpec, ModelInfo, OutputSpec, Task, default_bundle_dir
from tests.unit.model.drift_support import synthetic_reference


def model_info(*columns: ColumnSpec, classes: list[str] | None = None) -> ModelInfo:
    """A regressor's schema over `columns` (one numeric prediction), or with `classes` a
    classifier's."""
    task: Task = "regression" if classes is None else "classification"
    output = (
        OutputSpec(name="prediction", dtype="number", description="value")
        if classes is None
        else OutputSpec(name="prediction", dtype="string", description="class")
    )
    return ModelInfo(
        version="v", task=task, columns=list(columns), outputs=[output], classes=classes
    )


def test_numeric_columns_get_quantile_bins_range_and_missing_count() -> None:
    # Given
    frame = pd.DataFrame({"x": [*range(100), np.nan, np.nan], "c": ["a"] * 102})
    info = model_info(ColumnSpec(name="x", dtype="number"), ColumnSpec(name="c", dtype="category"))
    # When
    reference = build_reference(frame, info, np.arange(50.0))
    # Then
    x = reference.features[0]
    assert isinstance(x, NumericReference)
    assert len(x.edges) == 9
    assert x.counts == [10] * 10
    assert (x.missing, x.rows, x.min, x.max) == (2, 102, 0.0, 99.0)
    assert reference.prediction is not None
    assert reference.prediction.source == "value"


def test_ties_merge_bins_and_values_at_an_edge_fall_below_it() -> None:
    # Given: a column that is mostly zeros
    frame = pd.DataFrame({"x": [0.0] * 70 + [float(v) for v in range(1, 31)]})
    info = model_info(ColumnSpec(name="x", dtype="number"))
    # When
    x = build_reference(frame, info, np.zeros(0)).features[0]
    # Then
    assert isinstance(x, NumericReference)
    assert x.edges[0] == 0.0
    assert x.counts[0] == 70
    assert sum(x.counts) == 100


def test_categorical_columns_keep_every_training_category_most_frequent_first() -> None:
    # Given
    frame = pd.DataFrame({"c": ["b", "a", "b", None, "c", "b", "a"]})
    info = model_info(ColumnSpec(name="c", dtype="category"), classes=["x", "y", "z"])
    # When
    reference = build_reference(frame, info, np.array(["x", "y", "y", "z"], dtype=object))
    # Then
    c = reference.features[0]
    assert isinstance(c, CategoricalReference)
    assert (c.categories, c.counts, c.missing) == (["b", "a", "c"], [3, 2, 1], 1)
    assert reference.prediction is not None
    assert reference.prediction.source == "class"  # several classes: the predicted class shares


def test_a_binary_classifier_is_referenced_by_its_positive_probability() -> None:
    # Given / When
    reference = synthetic_reference(np.random.default_rng(0))
    # Then
    assert reference.prediction is not None
    assert reference.prediction.source == "probability"
    assert reference.prediction.stats.name == "probability_yes"


def test_the_reference_survives_its_json_file(tmp_path: Path) -> None:
    # Given
    reference = synthetic_reference(np.random.default_rng(1))
    path = tmp_path / REFERENCE_FILE
    # When
    path.write_text(reference.to_json(), encoding="utf-8")
    # Then
    assert load_reference(path) == reference


def test_a_malformed_reference_file_is_a_bundle_error(tmp_path: Path) -> None:
    # Given
    path = tmp_path / REFERENCE_FILE
    path.write_text('{"format": 1, "model_version": "v"}', encoding="utf-8")
    # When / Then
    with pytest.raises(BundleError, match=REFERENCE_FILE):
        load_reference(path)


def test_psi_of_equal_shares_is_zero_and_grows_with_the_difference() -> None:
    # Given
    same = np.array([50, 50]), np.array([500, 500])
    apart = np.array([50, 50]), np.array([700, 300])
    # When / Then
    assert psi(*same)[0] == pytest.approx(0.0, abs=1e-9)
    assert psi(*apart)[0] > 0.15
    assert psi(*apart)[1] == 1


def test_the_shipped_bundle_carries_its_reference() -> None:
    # Given / When
    bundle = load_bundle(default_bundle_dir())
    # Then
    assert bundle.reference is not None
    assert bundle.reference.model_version == bundle.version
    assert [f.name for f in bundle.reference.features] == bundle.info.feature_names
    assert bundle.reference.prediction is not None
    assert bundle.reference.prediction.stats.rows == bundle.metadata.rows_holdout


@pytest.fixture
def bundle_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(default_bundle_dir(), copy)
    return copy


def test_a_bundle_without_a_reference_still_serves_with_drift_unavailable(
    bundle_copy: Path,
) -> None:
    # Given: a bundle from before drift references
    (bundle_copy / REFERENCE_FILE).unlink()
    checksums.write_checksums(bundle_copy, ["metadata.json", "model.skops", "schema.json"])
    # When
    bundle = load_bundle(bundle_copy)
    monitor = DriftMonitor(bundle.reference)
    frame = pd.DataFrame([[14.0] * 30], columns=bundle.info.feature_names)
    prediction = bundle.predict_frame(frame)
    monitor.update(frame, prediction.labels, prediction.probabilities)
    # Then
    assert bundle.reference is None
    assert monitor.result().to_job()["status"] == "unavailable"


def test_a_changed_reference_is_refused(bundle_copy: Path) -> None:
    # Given
    path = bundle_copy / REFERENCE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace('"rows": 426', '"rows": 427', 1))
    # When / Then
    with pytest.raises(BundleError, match="checksum mismatch"):
        load_bundle(bundle_copy)


def test_an_unlisted_reference_is_refused(bundle_copy: Path) -> None:
    # Given
    checksums.write_checksums(bundle_copy, ["metadata.json", "model.skops", "schema.json"])
    # When / Then
    with pytest.raises(BundleError, match="not listed"):
        load_bundle(bundle_copy)


def test_a_reference_of_another_version_is_refused(bundle_copy: Path) -> None:
    # Given
    path = bundle_copy / REFERENCE_FILE
    other = load_reference(path).model_copy(update={"model_version": "someone-else"})
    path.write_text(other.to_json(), encoding="utf-8")
    checksums.write_checksums(bundle_copy, sorted(checksums.read_checksums(bundle_copy)))
    # When / Then
    with pytest.raises(BundleError, match="model_version"):
        load_bundle(bundle_copy)


def test_a_multiclass_prediction_is_compared_by_its_class_shares() -> None:
    # Given: a reference whose holdout predicted x, y and z equally often
    frame = pd.DataFrame({"v": np.linspace(0.0, 1.0, 300)})
    info = model_info(ColumnSpec(name="v", dtype="number"), classes=["x", "y", "z"])
    reference = build_reference(frame, info, np.array(["x", "y", "z"] * 100, dtype=object))
    monitor = DriftMonitor(reference)
    # When: the job predicts z nearly always
    labels = np.array(["z"] * 900 + ["x", "y"] * 50, dtype=object)
    monitor.update(pd.DataFrame({"v": np.linspace(0.0, 1.0, 1000)}), labels)
    # Then
    result = monitor.result()
    assert result.prediction is not None
    assert result.prediction.status == "drift"
    assert result.flagged == []


def test_a_reference_whose_counts_do_not_fit_its_bins_is_a_bundle_error(tmp_path: Path) -> None:
    # Given: one count too few for the edges
    reference = synthetic_reference(np.random.default_rng(3))
    payload = reference.model_dump(mode="json")
    payload["features"][0]["counts"].pop()
    path = tmp_path / REFERENCE_FILE
    path.write_text(json.dumps(payload), encoding="utf-8")
    # When / Then
    with pytest.raises(BundleError, match="one count more than edges"):
        load_reference(path)
