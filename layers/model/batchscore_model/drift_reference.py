"""Reference statistics: what a model version's training data and holdout predictions looked like.

`build_reference` summarises them into a `Reference`, the bundle's optional `reference.json`,
which `drift.DriftMonitor` compares each job with (docs/drift.md). Counts, not shares: the
thresholds need the sample sizes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, model_validator

from batchscore_model.errors import BundleError
from batchscore_model.schema import ModelInfo

REFERENCE_FILE = "reference.json"
REFERENCE_FORMAT: Literal[1] = 1
DEFAULT_BINS = 10

PredictionSource = Literal["probability", "class", "value"]


class _CountedColumn(BaseModel):
    """What both kinds of column reference hold: counts that, with the missing, add up to rows."""

    name: str
    kind: str
    rows: int = Field(ge=0)
    counts: list[int]
    missing: int = Field(ge=0)

    def _shape_problem(self) -> str | None:
        """Why the counts do not fit the kind's bins or categories (None: they do)."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _consistent(self) -> _CountedColumn:
        problem = self._shape_problem()
        if problem is None and sum(self.counts) + self.missing != self.rows:
            problem = "counts and missing must add up to rows"
        if problem is not None:
            raise ValueError(problem)
        return self


class NumericReference(_CountedColumn):
    """Quantile bins of one numeric column; bin i holds (edges[i-1], edges[i]]."""

    kind: Literal["numeric"] = "numeric"
    edges: list[float]
    min: float | None
    max: float | None

    def _shape_problem(self) -> str | None:
        if len(self.counts) != len(self.edges) + 1 or self.edges != sorted(set(self.edges)):
            return "needs increasing edges and one count more than edges"
        return None


class CategoricalReference(_CountedColumn):
    """Every training category of one column with its count."""

    kind: Literal["categorical"] = "categorical"
    categories: list[str]

    def _shape_problem(self) -> str | None:
        if len(self.counts) != len(self.categories) or len(set(self.categories)) != len(
            self.categories
        ):
            return "needs distinct categories, one count each"
        return None


ColumnReference = Annotated[NumericReference | CategoricalReference, Field(discriminator="kind")]


class PredictionReference(BaseModel):
    """The holdout predictions: one class's probability, the predicted class, or the value."""

    source: PredictionSource
    class_index: int | None = None  # the probability column, for `probability`
    stats: ColumnReference


class Reference(BaseModel):
    """`reference.json`: what the training data and the holdout predictions looked like."""

    format: Literal[1] = REFERENCE_FORMAT
    model_version: str
    bins: int
    features: list[ColumnReference]
    prediction: PredictionReference | None

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=1) + "\n"


def load_reference(path: Path) -> Reference:
    try:
        reference: Reference = Reference.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BundleError(f"{path}: {where}: {first['msg']}") from exc
    return reference


def build_reference(
    frame: pd.DataFrame,
    info: ModelInfo,
    labels: np.ndarray,
    probabilities: np.ndarray | None = None,
    *,
    bins: int = DEFAULT_BINS,
) -> Reference:
    """Reference statistics of the training `frame` and of the holdout's predictions.

    `labels` / `probabilities` are what `Bundle.predict_frame` returns for the holdout.
    """
    features: list[ColumnReference] = []
    for spec in info.columns:
        column = frame[spec.name] if spec.name in frame else pd.Series(np.nan, index=frame.index)
        if spec.dtype == "category":
            features.append(_categorical_reference(spec.name, column))
        else:
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
            features.append(_numeric_reference(spec.name, values, bins))
    return Reference(
        model_version=info.version,
        bins=bins,
        features=features,
        prediction=_prediction_reference(info, labels, probabilities, bins),
    )


def _numeric_reference(name: str, values: np.ndarray, bins: int) -> NumericReference:
    present = values[~np.isnan(values)]
    edges: list[float] = []
    if len(present):
        quantiles = np.quantile(present, np.linspace(0.0, 1.0, bins + 1)[1:-1])
        edges = [float(edge) for edge in np.unique(quantiles)]
    counts = np.bincount(np.searchsorted(edges, present, side="left"), minlength=len(edges) + 1)
    return NumericReference(
        name=name,
        rows=len(values),
        edges=edges,
        counts=[int(count) for count in counts],
        missing=int(len(values) - len(present)),
        min=float(present.min()) if len(present) else None,
        max=float(present.max()) if len(present) else None,
    )


def _categorical_reference(name: str, column: pd.Series) -> CategoricalReference:
    missing = column.isna().to_numpy()
    counts = pd.Series(column[~missing].astype(str)).value_counts()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return CategoricalReference(
        name=name,
        rows=len(column),
        categories=[str(category) for category, _ in ordered],
        counts=[int(count) for _, count in ordered],
        missing=int(missing.sum()),
    )


def _prediction_reference(
    info: ModelInfo, labels: np.ndarray, probabilities: np.ndarray | None, bins: int
) -> PredictionReference | None:
    if not len(labels):
        return None
    if info.task == "regression":
        values = np.asarray(labels, dtype=np.float64)
        return PredictionReference(
            source="value", stats=_numeric_reference("prediction", values, bins)
        )
    classes = info.classes or []
    if probabilities is not None and len(classes) == 2:
        # Binary: the positive class's probability bins say more than two class shares.
        stats = _numeric_reference(f"probability_{classes[1]}", probabilities[:, 1], bins)
        return PredictionReference(source="probability", class_index=1, stats=stats)
    column = pd.Series(np.asarray(labels).astype(str), dtype=object)
    return PredictionReference(source="class", stats=_categorical_reference("prediction", column))
