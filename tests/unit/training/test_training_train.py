from __future__ import annotations

from pathlib import Path

import pytest

from batchscore_model.bundle import load_bundle, save_bundle
from batchscore_model.derive import build_info
from batchscore_model.schema import load_metadata
from training.train import load_dataset, main, replacement_verdict, train


@pytest.fixture(scope="module")
def trained():
    return train(load_dataset())


def test_training_is_deterministic(trained) -> None:
    # Given / When
    again = train(load_dataset())
    # Then
    assert again.metadata.version == trained.metadata.version
    assert again.metadata.holdout_metrics == trained.metadata.holdout_metrics


def test_the_default_model_has_30_numeric_columns_and_two_classes(trained) -> None:
    # Given / When
    info = build_info(trained.pipeline, trained.train_frame, version="v", accepts_missing=True)
    # Then
    assert len(info.columns) == 30
    assert {column.dtype for column in info.columns} == {"number"}
    assert info.classes == ["benign", "malignant"]
    assert trained.metadata.holdout_metrics["roc_auc"] > 0.95


def test_make_model_writes_a_loadable_bundle(tmp_path: Path) -> None:
    # Given
    target = tmp_path / "bundle"
    # When
    code = main(["--out", str(target)])
    # Then
    assert code == 0
    assert load_bundle(target).info.task == "classification"


def test_a_second_run_finds_the_bundle_up_to_date(tmp_path: Path, capsys) -> None:
    # Given
    target = tmp_path / "bundle"
    main(["--out", str(target)])
    # When
    code = main(["--out", str(target)])
    # Then
    assert code == 0
    assert "up to date" in capsys.readouterr().out


def test_a_better_bundle_is_kept_unless_forced(tmp_path: Path, trained, capsys) -> None:
    # Given: an existing bundle whose holdout metric beats the new one
    target = tmp_path / "bundle"
    better = trained.metadata.model_copy(
        update={"version": "better", "holdout_metrics": {"roc_auc": 1.0}}
    )
    info = build_info(trained.pipeline, trained.train_frame, version="better", accepts_missing=True)
    save_bundle(target, trained.pipeline, info, better)
    # When
    refused = main(["--out", str(target)])
    # Then
    assert refused == 1
    assert "FORCE=1" in capsys.readouterr().err
    assert load_metadata(target).version == "better"


def test_force_replaces_a_better_bundle(tmp_path: Path, trained) -> None:
    # Given
    target = tmp_path / "bundle"
    better = trained.metadata.model_copy(
        update={"version": "better", "holdout_metrics": {"roc_auc": 1.0}}
    )
    info = build_info(trained.pipeline, trained.train_frame, version="better", accepts_missing=True)
    save_bundle(target, trained.pipeline, info, better)
    # When
    code = main(["--out", str(target), "--force"])
    # Then
    assert code == 0
    assert load_metadata(target).version == trained.metadata.version


def test_a_worse_existing_bundle_is_replaced(trained) -> None:
    # Given
    worse = trained.metadata.model_copy(
        update={"version": "old", "holdout_metrics": {"roc_auc": 0.5}}
    )
    # When
    verdict = replacement_verdict(worse, trained.metadata, force=False)
    # Then
    assert verdict == "write"
