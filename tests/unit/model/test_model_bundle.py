from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import skops.io as sio

from batchscore_model.bundle import load_bundle
from batchscore_model.errors import BundleError
from batchscore_model.schema import load_model_info


@pytest.fixture
def copy_of(bundle_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(bundle_dir, target)
    return target


def test_a_saved_bundle_loads_with_its_schema_and_predictions(bundle_dir: Path) -> None:
    # Given
    frame = pd.DataFrame({"a": [2.0, -2.0], "b": [5.0, 5.0]})
    # When
    bundle = load_bundle(bundle_dir)
    # Then
    assert bundle.version == "test-1"
    assert bundle.info.feature_names == ["a", "b"]
    assert bundle.output_names == ["prediction", "probability_no", "probability_yes"]
    assert list(bundle.predict_frame(frame).labels) == ["yes", "no"]


def test_the_schema_is_derived_from_the_training_frame(bundle_dir: Path) -> None:
    # Given / When
    info = load_model_info(bundle_dir)
    # Then
    column = info.to_api()["columns"][0]
    assert set(column) == {"name", "dtype", "required", "min", "max", "categories"}
    assert (column["name"], column["dtype"], column["required"]) == ("a", "number", True)
    assert column["min"] < 0 < column["max"]


def test_the_api_shape_has_version_task_columns_outputs(bundle_dir: Path) -> None:
    # Given / When
    api = load_model_info(bundle_dir).to_api()
    # Then
    assert set(api) == {"version", "task", "columns", "outputs"}
    assert api["task"] == "classification"


def test_a_tampered_model_file_is_refused(copy_of: Path) -> None:
    # Given
    model = copy_of / "model.skops"
    model.write_bytes(model.read_bytes() + b"\0")
    # When
    with pytest.raises(BundleError) as caught:
        load_bundle(copy_of)
    # Then
    assert "checksum mismatch" in str(caught.value)


def test_a_tampered_schema_is_refused_even_by_the_light_reader(copy_of: Path) -> None:
    # Given
    schema = copy_of / "schema.json"
    schema.write_text(schema.read_text().replace('"a"', '"z"'))
    # When / Then
    with pytest.raises(BundleError):
        load_model_info(copy_of)


def test_a_bundle_without_checksums_is_refused(copy_of: Path) -> None:
    # Given
    (copy_of / "checksums.sha256").unlink()
    # When / Then
    with pytest.raises(BundleError):
        load_bundle(copy_of)


def test_an_estimator_with_untrusted_types_is_refused(copy_of: Path) -> None:
    # Given: a model file holding a type outside the trusted list, with matching checksums
    from batchscore_model import checksums

    sio.dump({"f": Path("x")}, copy_of / "model.skops")
    checksums.write_checksums(copy_of, ["schema.json", "metadata.json", "model.skops"])
    # When
    with pytest.raises(BundleError) as caught:
        load_bundle(copy_of)
    # Then
    assert "refused" in str(caught.value)


def test_the_default_bundle_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, bundle_dir: Path
) -> None:
    # Given
    monkeypatch.setenv("MODEL_BUNDLE_DIR", str(bundle_dir))
    # When
    info = load_model_info()
    # Then
    assert info.version == "test-1"


def test_predict_records_returns_results_and_per_row_errors(bundle) -> None:
    # Given
    rows = [{"a": 2, "b": "5"}, {"a": "x", "b": 1}, {"b": 1}]
    # When
    results, errors = bundle.predict_records(rows)
    # Then
    assert [r["row"] for r in results] == [0, 2]
    assert results[0]["prediction"] == "yes"
    assert set(results[0]["probabilities"]) == {"no", "yes"}
    assert errors == [{"row": 1, "column": "a", "message": "'x' is not a number"}]


def test_predict_records_requires_values_when_the_model_cannot_impute(strict_bundle) -> None:
    # Given
    rows = [{"a": 1}]
    # When
    results, errors = strict_bundle.predict_records(rows)
    # Then
    assert results == []
    assert errors == [{"row": 0, "column": "b", "message": "a value is required"}]
