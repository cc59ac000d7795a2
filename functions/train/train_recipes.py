"""Training recipes: how each model is refit from its labelled data, and how it is judged.

A recipe is a Python function from a DataFrame of features and a Series of labels to a fitted
scikit-learn estimator, plus the label column, the primary metric, an absolute floor, either a
tolerance or a minimum gain over the champion, and an optional schedule. Register one with
`register(Recipe(...))` in this module (docs/retraining.md); the shipped models' recipes below
are the examples: they are the pipelines `make model` trains (training/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from batchscore_core.training_gate import DEFAULT_TOLERANCE, GatePolicy

SEED = 20261122  # the seed of `make model` (training/train.py)
DEFAULT_MIN_ROWS = 50

Fit = Callable[[pd.DataFrame, pd.Series], Any]


@dataclass(frozen=True)
class Recipe:
    model: str  # the registry's model name
    name: str  # the recipe's own name (a model may have several; `default` is retrained)
    label: str
    primary_metric: str
    floor: float
    fit: Fit
    estimator: str  # what metadata.json says the estimator is
    tolerance: float | None = DEFAULT_TOLERANCE
    min_gain: float | None = None  # set it (and tolerance None) to require an improvement
    greater_is_better: bool = True
    schedule: str | None = None  # None: the stack's RetrainSchedule parameter
    min_rows: int = DEFAULT_MIN_ROWS
    schema_change: bool = False  # declared: the candidate's input columns may differ
    default: bool = True

    @property
    def policy(self) -> GatePolicy:
        return GatePolicy(
            primary_metric=self.primary_metric,
            floor=self.floor,
            tolerance=self.tolerance,
            min_gain=self.min_gain,
            greater_is_better=self.greater_is_better,
            schema_change=self.schema_change,
        )

    def plan(self, default_schedule: str) -> dict[str, Any]:
        """The model's `training` in GET /models/{name}."""
        return {
            "label": self.label,
            "primary_metric": self.primary_metric,
            "floor": self.floor,
            "tolerance": self.tolerance if self.min_gain is None else None,
            "min_gain": self.min_gain,
            "schedule": self.schedule or default_schedule,
            "recipe": self.name,
        }


RECIPES: dict[tuple[str, str], Recipe] = {}


def register(recipe: Recipe) -> Recipe:
    RECIPES[(recipe.model, recipe.name)] = recipe
    return recipe


def recipe_for(model: str, name: str | None = None) -> Recipe | None:
    """The model's default recipe, or the one named; None when it has none."""
    if name is not None:
        return RECIPES.get((model, name))
    return next((r for r in RECIPES.values() if r.model == model and r.default), None)


# ------------------------------------------------------------------ shipped recipes


def fit_logistic(features: pd.DataFrame, labels: pd.Series) -> Pipeline:
    pipeline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=5000, random_state=SEED)),
        ]
    )
    return pipeline.fit(features, labels)


def fit_forest(features: pd.DataFrame, labels: pd.Series) -> Pipeline:
    pipeline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            (
                "model",
                RandomForestClassifier(n_estimators=25, max_depth=6, random_state=SEED, n_jobs=1),
            ),
        ]
    )
    return pipeline.fit(features, labels)


def fit_ridge(features: pd.DataFrame, labels: pd.Series) -> Pipeline:
    pipeline = Pipeline([("impute", SimpleImputer(strategy="median")), ("model", Ridge(alpha=1.0))])
    return pipeline.fit(features, labels)


BREAST_CANCER_LOGISTIC = register(
    Recipe(
        model="breast-cancer",
        name="logistic",
        label="diagnosis",
        primary_metric="roc_auc",
        floor=0.95,
        tolerance=0.005,
        fit=fit_logistic,
        estimator="SimpleImputer(median) + StandardScaler + LogisticRegression",
    )
)
# The same model judged the same way, with another estimator (not retrained unless named).
register(
    replace(
        BREAST_CANCER_LOGISTIC,
        name="forest",
        fit=fit_forest,
        estimator="SimpleImputer(median) + RandomForestClassifier(25, depth 6)",
        default=False,
    )
)
register(
    Recipe(
        model="diabetes",
        name="ridge",
        label="progression",
        primary_metric="r2",
        floor=0.3,
        tolerance=0.02,
        fit=fit_ridge,
        estimator="SimpleImputer(median) + Ridge(alpha=1.0)",
    )
)
