"""`make model`: train the default model deterministically and write its bundle.

Refuses to replace a bundle whose holdout metric is better unless `--force`.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from batchscore_model.bundle import Bundle, add_reference, save_bundle
from batchscore_model.derive import build_info
from batchscore_model.drift_reference import REFERENCE_FILE
from batchscore_model.errors import BundleError
from batchscore_model.library_versions import library_versions
from batchscore_model.schema import BundleMetadata, default_bundle_dir, load_metadata
from training.reference import reference_for

SEED = 20261122
HOLDOUT_FRACTION = 0.25
PRIMARY_METRIC = "roc_auc"
DATASET = "sklearn.datasets.load_breast_cancer"
MODEL_NAME = "breast-cancer-logreg"


@dataclass(frozen=True)
class Dataset:
    features: pd.DataFrame
    labels: pd.Series


def load_dataset() -> Dataset:
    """Wisconsin breast cancer (569 rows, 30 numeric features), shipped inside scikit-learn."""
    raw = load_breast_cancer(as_frame=True)
    names = np.asarray(raw.target_names, dtype=object)
    labels = pd.Series(names[raw.target.to_numpy()], name="diagnosis")
    return Dataset(features=raw.data, labels=labels)


def fingerprint(dataset: Dataset) -> str:
    """sha256 over the training frame's values, column names and labels."""
    return frame_fingerprint(dataset.features, dataset.labels)


def frame_fingerprint(features: pd.DataFrame, labels: pd.Series) -> str:
    """sha256 over a training frame's values, column names and labels (or target)."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(features.columns).encode())
    digest.update(pd.util.hash_pandas_object(features, index=True).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(labels, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def split(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """x_train, x_test, y_train, y_test: the holdout share, stratified by label."""
    x_train, x_test, y_train, y_test = train_test_split(
        dataset.features,
        dataset.labels,
        test_size=HOLDOUT_FRACTION,
        random_state=SEED,
        stratify=dataset.labels,
    )
    return x_train, x_test, y_train, y_test


def classifier_metrics(pipeline: Any, x_test: pd.DataFrame, y_test: pd.Series) -> dict[str, float]:
    """Holdout ROC AUC (malignant the positive class), accuracy and log loss."""
    probabilities = pipeline.predict_proba(x_test)
    positive = list(pipeline.classes_).index("malignant")
    return {
        "roc_auc": float(roc_auc_score(y_test == "malignant", probabilities[:, positive])),
        "accuracy": float(accuracy_score(y_test, pipeline.predict(x_test))),
        "log_loss": float(log_loss(y_test, probabilities, labels=pipeline.classes_)),
    }


def bundle_version(prefix: str, data_fingerprint: str, estimator: Any) -> str:
    """`<prefix>-<10 hex>`: the same data, parameters, scikit-learn and seed give the same."""
    recipe = f"{data_fingerprint}{estimator.get_params(deep=True)!r}{sklearn.__version__}{SEED}"
    return f"{prefix}-{hashlib.sha256(recipe.encode()).hexdigest()[:10]}"


def holdout_metadata(
    *,
    version: str,
    now: datetime | None,
    estimator: str,
    dataset: str,
    data_fingerprint: str,
    rows: tuple[int, int],
    primary_metric: str,
    metrics: dict[str, float],
) -> BundleMetadata:
    """metadata.json of a bundle `make model` trains: `rows` (train, holdout), metrics rounded."""
    return BundleMetadata(
        version=version,
        trained_at=now or datetime.now(UTC),
        estimator=estimator,
        dataset=dataset,
        training_data_fingerprint=data_fingerprint,
        rows_train=rows[0],
        rows_holdout=rows[1],
        primary_metric=primary_metric,
        holdout_metrics={name: round(value, 6) for name, value in metrics.items()},
        library_versions=library_versions(),
    )


def make_pipeline() -> Pipeline:
    # The imputer is why the bundle accepts missing values (see layers/model/README.md).
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=5000, random_state=SEED)),
        ]
    )


@dataclass(frozen=True)
class Trained:
    pipeline: Pipeline
    metadata: BundleMetadata
    train_frame: pd.DataFrame
    holdout_frame: pd.DataFrame


def train(dataset: Dataset, *, now: datetime | None = None) -> Trained:
    x_train, x_test, y_train, y_test = split(dataset)
    pipeline = make_pipeline().fit(x_train, y_train)
    data_fingerprint = fingerprint(dataset)
    metadata = holdout_metadata(
        version=bundle_version(MODEL_NAME, data_fingerprint, pipeline),
        now=now,
        estimator="SimpleImputer(median) + StandardScaler + LogisticRegression",
        dataset=DATASET,
        data_fingerprint=data_fingerprint,
        rows=(len(x_train), len(x_test)),
        primary_metric=PRIMARY_METRIC,
        metrics=classifier_metrics(pipeline, x_test, y_test),
    )
    return Trained(pipeline=pipeline, metadata=metadata, train_frame=x_train, holdout_frame=x_test)


def replacement_verdict(
    existing: BundleMetadata | None, new: BundleMetadata, *, force: bool
) -> str:
    """`write`, `up_to_date` or `refuse`."""
    if existing is None or force:
        return "write"
    if existing.version == new.version and existing.primary_value == new.primary_value:
        return "up_to_date"
    if existing.primary_metric == new.primary_metric and existing.primary_value > new.primary_value:
        return "refuse"
    return "write"


def existing_metadata(bundle_dir: Path) -> BundleMetadata | None:
    if not bundle_dir.exists():
        return None
    try:
        return load_metadata(bundle_dir)
    except BundleError:
        return None


def write_bundle(
    bundle_dir: Path,
    estimator: Any,
    train_frame: pd.DataFrame,
    holdout_frame: pd.DataFrame,
    new: BundleMetadata,
    *,
    force: bool,
) -> int:
    """Write the trained bundle (with its drift reference) unless the one there is better
    (exit code 1) or the same (0, a missing reference added)."""
    existing = existing_metadata(bundle_dir)
    verdict = replacement_verdict(existing, new, force=force)
    metric = f"{new.primary_metric}={new.primary_value:.6f}"
    if verdict == "refuse":
        assert existing is not None
        print(
            f"{bundle_dir}: kept {existing.version} ({existing.primary_metric}="
            f"{existing.primary_value:.6f}), better than the new {new.version} ({metric});"
            " run `make model FORCE=1` to replace it",
            file=sys.stderr,
        )
        return 1
    info = build_info(estimator, train_frame, version=new.version, accepts_missing=True)
    reference = reference_for(train_frame, holdout_frame, Bundle(estimator, info, new))
    if verdict == "up_to_date":
        if not (bundle_dir / REFERENCE_FILE).exists():
            add_reference(bundle_dir, reference)  # a bundle from before drift references
            print(f"{bundle_dir}: added {REFERENCE_FILE} to {new.version}")
        print(f"{bundle_dir}: {new.version} ({metric}) is up to date")
        return 0
    save_bundle(bundle_dir, estimator, info, new, reference)
    print(f"{bundle_dir}: wrote {new.version} ({metric}, {len(info.columns)} columns)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="replace even a better bundle")
    parser.add_argument("--out", type=Path, default=None, help="bundle directory")
    args = parser.parse_args(argv)
    trained = train(load_dataset())
    return write_bundle(
        args.out or default_bundle_dir(),
        trained.pipeline,
        trained.train_frame,
        trained.holdout_frame,
        trained.metadata,
        force=args.force,
    )


if __name__ == "__main__":
    raise SystemExit(main())
