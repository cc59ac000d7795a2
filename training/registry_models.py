"""`make model`: the registry's other seed bundles, trained deterministically.

- `models/breast-cancer/forest/`: a small random forest on the breast-cancer data (the
  `challenger` of the default model; the logistic pipeline in layers/model/bundle is champion).
- `models/diabetes/ridge/`: a regressor on scikit-learn's bundled diabetes data (no download).

`models/seed.json` says which bundle is which alias; `make run` publishes them all.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import (
    mean_absolute_error,
    r2_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from batchscore_model.schema import BundleMetadata
from training.train import (
    HOLDOUT_FRACTION,
    SEED,
    bundle_version,
    classifier_metrics,
    frame_fingerprint,
    holdout_metadata,
    split,
    write_bundle,
)
from training.train import fingerprint as breast_cancer_fingerprint
from training.train import load_dataset as load_breast_cancer

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "models"
# Few, shallow trees: the committed bundle stays small (a few hundred KB).
FOREST_TREES = 25
FOREST_DEPTH = 6


@dataclass(frozen=True)
class Recipe:
    directory: Path
    fit: Callable[[datetime | None], tuple[Any, pd.DataFrame, pd.DataFrame, BundleMetadata]]


def fit_forest(
    now: datetime | None = None,
) -> tuple[Any, pd.DataFrame, pd.DataFrame, BundleMetadata]:
    dataset = load_breast_cancer()
    x_train, x_test, y_train, y_test = split(dataset)
    pipeline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            (
                "model",
                RandomForestClassifier(
                    n_estimators=FOREST_TREES, max_depth=FOREST_DEPTH, random_state=SEED, n_jobs=1
                ),
            ),
        ]
    ).fit(x_train, y_train)
    data_fingerprint = breast_cancer_fingerprint(dataset)
    metadata = holdout_metadata(
        version=bundle_version("breast-cancer-forest", data_fingerprint, pipeline),
        now=now,
        estimator=f"SimpleImputer(median) + RandomForestClassifier({FOREST_TREES}, depth {FOREST_DEPTH})",
        dataset="sklearn.datasets.load_breast_cancer",
        data_fingerprint=data_fingerprint,
        rows=(len(x_train), len(x_test)),
        primary_metric="roc_auc",
        metrics=classifier_metrics(pipeline, x_test, y_test),
    )
    return pipeline, x_train, x_test, metadata


def diabetes_frame() -> tuple[pd.DataFrame, pd.Series]:
    raw = load_diabetes(as_frame=True, scaled=False)
    return raw.data, raw.target.rename("progression")


def fit_ridge(
    now: datetime | None = None,
) -> tuple[Any, pd.DataFrame, pd.DataFrame, BundleMetadata]:
    features, target = diabetes_frame()
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=HOLDOUT_FRACTION, random_state=SEED
    )
    pipeline = Pipeline(
        [("impute", SimpleImputer(strategy="median")), ("model", Ridge(alpha=1.0))]
    ).fit(x_train, y_train)
    predicted = pipeline.predict(x_test)
    metrics = {
        "r2": float(r2_score(y_test, predicted)),
        "mae": float(mean_absolute_error(y_test, predicted)),
    }
    data_fingerprint = frame_fingerprint(features, target)
    metadata = holdout_metadata(
        version=bundle_version("diabetes-ridge", data_fingerprint, pipeline),
        now=now,
        estimator="SimpleImputer(median) + Ridge(alpha=1.0)",
        dataset="sklearn.datasets.load_diabetes(scaled=False)",
        data_fingerprint=data_fingerprint,
        rows=(len(x_train), len(x_test)),
        primary_metric="r2",
        metrics=metrics,
    )
    return pipeline, x_train, x_test, metadata


RECIPES = [
    Recipe(MODELS_DIR / "breast-cancer" / "forest", fit_forest),
    Recipe(MODELS_DIR / "diabetes" / "ridge", fit_ridge),
]


def write_recipe(recipe: Recipe, directory: Path, *, force: bool) -> int:
    estimator, frame, holdout, metadata = recipe.fit(None)
    return write_bundle(directory, estimator, frame, holdout, metadata, force=force)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace even a better bundle")
    parser.add_argument("--out", type=Path, default=None, help="instead of models/ (tests)")
    args = parser.parse_args(argv)
    codes = []
    for recipe in RECIPES:
        directory = recipe.directory
        if args.out is not None:
            directory = args.out / recipe.directory.relative_to(MODELS_DIR)
        codes.append(write_recipe(recipe, directory, force=args.force))
    return max(codes)


if __name__ == "__main__":
    raise SystemExit(main())
