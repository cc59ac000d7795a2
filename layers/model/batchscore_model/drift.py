"""Drift: how far a job's inputs and predictions are from the training data's, in one pass.

`DriftMonitor(reference)` takes the job's chunks as the engine scores them (O(bins) state) and
`result()` says, per feature and for the predictions, whether the job looks like the training
data (the `Reference` of `drift_reference`). numpy, scipy and the pandas frame the engine
already has; the method and its thresholds are explained in docs/drift.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import chdtri

from batchscore_model.drift_reference import (
    CategoricalReference,
    NumericReference,
    Reference,
)

MAX_CATEGORY_BINS = 30  # the most frequent training categories get a bin each, the rest share one
# Family-wise false-alarm rates per job (Bonferroni over the features and the prediction).
ALPHA_DRIFT = 0.0002
ALPHA_WARNING = 0.002
# Effect-size floors: however large the samples, a PSI below these is not reported as a shift.
PSI_FLOOR_DRIFT = 0.1
PSI_FLOOR_WARNING = 0.05
SMOOTHING = 0.5  # added to every compared count so an empty bin has a finite log
MAX_UNSEEN_EXAMPLES = 10
_UNSEEN_TRACKED = 100  # distinct unseen categories counted by name; the rest only in the total

Status = Literal["ok", "warning", "drift", "unavailable"]
_SEVERITY: dict[str, int] = {"drift": 0, "warning": 1, "ok": 2, "unavailable": 3}


# ---------------------------------------------------------------- the streaming monitor


class _NumericBins:
    """Counts for the numeric columns, all columns at once.

    A value lands in bin i when exactly i edges lie below it, so per column the number of values
    above each edge gives every bin's count: a few whole-array comparisons per chunk.
    """

    def __init__(self, references: Sequence[NumericReference]) -> None:
        self.references = list(references)
        self.names = [ref.name for ref in references]
        widest = max((len(ref.edges) for ref in references), default=0)
        # Edges padded with +inf: nothing is above them, so a column's extra bins stay empty.
        self.edges = np.full((len(references), widest), np.inf)
        for j, ref in enumerate(references):
            self.edges[j, : len(ref.edges)] = ref.edges
        self.low = np.array([_or_nan(ref.min) for ref in references], dtype=np.float64)[:, None]
        self.high = np.array([_or_nan(ref.max) for ref in references], dtype=np.float64)[:, None]
        self.counts = np.zeros((len(references), widest + 1), dtype=np.int64)
        self.missing = np.zeros(len(references), dtype=np.int64)
        self.below = np.zeros(len(references), dtype=np.int64)
        self.above = np.zeros(len(references), dtype=np.int64)
        self.job_min = np.full(len(references), np.nan)
        self.job_max = np.full(len(references), np.nan)

    def update(self, block: np.ndarray) -> None:
        """`block`: columns x rows, C-contiguous float64, NaN = missing."""
        mask = np.empty(block.shape, dtype=bool)
        np.isnan(block, out=mask)
        missing = _true_per_row(mask)
        above_edge = np.empty((block.shape[0], self.edges.shape[1] + 1), dtype=np.int64)
        above_edge[:, 0] = block.shape[1] - missing
        for k in range(self.edges.shape[1]):
            np.greater(block, self.edges[:, k : k + 1], out=mask)
            above_edge[:, k + 1] = _true_per_row(mask)
        self.counts[:, :-1] += above_edge[:, :-1] - above_edge[:, 1:]
        self.counts[:, -1] += above_edge[:, -1]
        self.missing += missing
        np.less(block, self.low, out=mask)
        self.below += _true_per_row(mask)
        np.greater(block, self.high, out=mask)
        self.above += _true_per_row(mask)
        if block.shape[1]:
            self.job_min = np.fmin(self.job_min, np.fmin.reduce(block, axis=1))
            self.job_max = np.fmax(self.job_max, np.fmax.reduce(block, axis=1))


class _CategoryCounts:
    """Counts of one categorical column: each training category, unseen ones, missing."""

    def __init__(self, reference: CategoricalReference) -> None:
        self.reference = reference
        self.index = pd.Index(reference.categories)
        self.counts = np.zeros(len(reference.categories), dtype=np.int64)
        self.missing = 0
        self.unseen = 0
        self.unseen_names: dict[str, int] = {}

    def update(self, column: pd.Series | np.ndarray) -> None:
        series = pd.Series(column, copy=False)
        missing = series.isna().to_numpy()
        present = series[~missing].astype(str)
        codes = self.index.get_indexer(pd.Index(present))
        self.missing += int(missing.sum())
        known = codes >= 0
        self.counts += np.bincount(codes[known], minlength=len(self.counts))
        new = int((~known).sum())
        if new:
            self.unseen += new
            self._remember(present[~known])

    def _remember(self, unseen: pd.Series) -> None:
        for name, count in unseen.value_counts().items():
            key = str(name)
            if key in self.unseen_names or len(self.unseen_names) < _UNSEEN_TRACKED:
                self.unseen_names[key] = self.unseen_names.get(key, 0) + int(count)


class DriftMonitor:
    """Streams a job's chunks against a `Reference`; memory does not grow with the rows."""

    def __init__(self, reference: Reference | None) -> None:
        self.reference = reference
        self.rows = 0
        features = reference.features if reference else []
        self._numeric = _NumericBins([f for f in features if isinstance(f, NumericReference)])
        self._categorical = [
            _CategoryCounts(f) for f in features if isinstance(f, CategoricalReference)
        ]
        self._prediction: _NumericBins | _CategoryCounts | None = None
        prediction = reference.prediction if reference else None
        if prediction is not None:
            stats = prediction.stats
            self._prediction = (
                _NumericBins([stats])
                if isinstance(stats, NumericReference)
                else _CategoryCounts(stats)
            )

    def update(
        self,
        chunk: pd.DataFrame,
        predictions: np.ndarray,
        probabilities: np.ndarray | None = None,
    ) -> None:
        """One scored chunk: its input columns, its predicted labels/values (and probabilities)."""
        if self.reference is None or not len(chunk):
            return
        self.rows += len(chunk)
        if self._numeric.names:
            self._numeric.update(_float_block(chunk, self._numeric.names))
        for counts in self._categorical:
            name = counts.reference.name
            column = chunk[name] if name in chunk else np.full(len(chunk), None, dtype=object)
            counts.update(column)
        self._update_prediction(predictions, probabilities)

    def _update_prediction(self, labels: np.ndarray, probabilities: np.ndarray | None) -> None:
        prediction = self.reference.prediction if self.reference else None
        if prediction is None or self._prediction is None:
            return
        if isinstance(self._prediction, _CategoryCounts):
            self._prediction.update(np.asarray(labels).astype(str))
            return
        if prediction.source == "probability":
            if probabilities is None or prediction.class_index is None:
                return
            values = np.asarray(probabilities, dtype=np.float64)[:, prediction.class_index]
        else:
            values = np.asarray(labels, dtype=np.float64)
        self._prediction.update(values.reshape(1, -1))

    def result(self) -> DriftResult:
        if self.reference is None:
            return DriftResult.unavailable("the model version has no reference statistics")
        if self.rows == 0:
            return DriftResult.unavailable("no rows were scored")
        tests = len(self.reference.features) + (1 if self._prediction is not None else 0)
        details = [
            _numeric_detail(ref, self._numeric, j, tests)
            for j, ref in enumerate(self._numeric.references)
        ]
        details += [_categorical_detail(counts, tests) for counts in self._categorical]
        details.sort(key=lambda d: (_SEVERITY[d.status], -d.value / d.threshold, d.name))
        prediction = None
        if isinstance(self._prediction, _NumericBins):
            prediction = _numeric_detail(self._prediction.references[0], self._prediction, 0, tests)
        elif isinstance(self._prediction, _CategoryCounts):
            prediction = _categorical_detail(self._prediction, tests)
        if prediction is not None and prediction.job_rows == 0:
            prediction = None  # e.g. probabilities were never passed: nothing to compare
        return DriftResult(rows=self.rows, features=details, prediction=prediction)


def _float_block(chunk: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The named columns as one columns x rows array (a view when pandas holds them so)."""
    if list(chunk.columns) != names:
        chunk = chunk.reindex(columns=names)
    return np.ascontiguousarray(chunk.to_numpy(dtype=np.float64, na_value=np.nan).T)


def _true_per_row(mask: np.ndarray) -> np.ndarray:
    # Row by row: count_nonzero of one contiguous row is several times faster than axis=1.
    return np.fromiter((np.count_nonzero(row) for row in mask), np.int64, len(mask))


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else value


# ---------------------------------------------------------------- the measures


@dataclass(frozen=True)
class Bin:
    label: str
    training: float  # share of the training rows
    job: float  # share of the job's rows


@dataclass(frozen=True)
class FeatureDrift:
    """One column's (or the prediction's) comparison; `to_job` is the job's `features` item."""

    name: str
    kind: Literal["numeric", "categorical"]
    measure: str
    value: float  # PSI between the training and the job's bin shares
    threshold: float  # the PSI at and above which the column is reported as drifted
    warning_threshold: float
    status: Status
    training_rows: int
    job_rows: int
    bins: list[Bin]
    missing_training: float
    missing_job: float
    outside_range: float | None = None  # share of the job's values beyond the training min/max
    below_min: float | None = None
    above_max: float | None = None
    training_min: float | None = None
    training_max: float | None = None
    job_min: float | None = None
    job_max: float | None = None
    unseen: float | None = None  # share of the job's values in categories training never saw
    unseen_examples: list[tuple[str, int]] = field(default_factory=list)

    @property
    def missing_change(self) -> float:
        return self.missing_job - self.missing_training

    def to_job(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "measure": self.measure,
            "value": round(self.value, 4),
            "threshold": round(self.threshold, 4),
            "status": self.status,
        }


@dataclass(frozen=True)
class DriftResult:
    rows: int
    features: list[FeatureDrift]  # most severe first
    prediction: FeatureDrift | None
    reason: str | None = None  # why drift is unavailable

    @classmethod
    def unavailable(cls, reason: str) -> DriftResult:
        return cls(rows=0, features=[], prediction=None, reason=reason)

    @property
    def status(self) -> Status:
        if self.reason is not None:
            return "unavailable"
        statuses = {d.status for d in self.features}
        if self.prediction is not None:
            statuses.add(self.prediction.status)
        if "drift" in statuses:
            return "drift"
        return "warning" if "warning" in statuses else "ok"

    @property
    def flagged(self) -> list[str]:
        return [d.name for d in self.features if d.status != "ok"]

    def to_job(self) -> dict[str, Any]:
        """The job's `drift` object (DESIGN.md), exactly."""
        if self.prediction is None:
            prediction: dict[str, Any] = {"measure": None, "value": None, "status": "unavailable"}
        else:
            prediction = {
                "measure": self.prediction.measure,
                "value": round(self.prediction.value, 4),
                "status": self.prediction.status,
            }
        return {
            "status": self.status,
            "features": [d.to_job() for d in self.features],
            "prediction": prediction,
        }


def psi(training: np.ndarray, job: np.ndarray) -> tuple[float, int]:
    """PSI of two count vectors over the bins either uses (smoothed), and its degrees of freedom."""
    used = (training + job) > 0
    p = training[used] + SMOOTHING
    q = job[used] + SMOOTHING
    p = p / p.sum()
    q = q / q.sum()
    return float(np.sum((q - p) * np.log(q / p))), max(int(used.sum()) - 1, 1)


def thresholds(n: int, m: int, dof: int, tests: int) -> tuple[float, float]:
    """Drift and warning PSI levels for samples of n (training) and m (job) rows.

    With no shift, PSI / (1/n + 1/m) is about chi-square with `dof` degrees of freedom; each
    level is its Bonferroni-corrected upper quantile, and never below the effect-size floor.
    """
    scale = 1.0 / max(n, 1) + 1.0 / max(m, 1)
    drift = float(chdtri(dof, ALPHA_DRIFT / tests)) * scale
    warning = float(chdtri(dof, ALPHA_WARNING / tests)) * scale
    return max(drift, PSI_FLOOR_DRIFT), max(warning, PSI_FLOOR_WARNING)


def _status(value: float, drift: float, warning: float) -> Status:
    if value >= drift:
        return "drift"
    if value >= warning:
        return "warning"
    return "ok"


def _compared(
    name: str,
    kind: Literal["numeric", "categorical"],
    training_counts: np.ndarray,
    job_counts: np.ndarray,
    training_rows: int,
    labels: list[str],
    tests: int,
    *,
    drop_empty_bins: bool = False,
) -> FeatureDrift:
    """The PSI comparison of one column's bins, the last bin of either side its missing values:
    the value, its thresholds and status, and each bin's training and job shares."""
    n, m = training_rows, int(job_counts.sum())
    value, dof = psi(training_counts, job_counts)
    drift, warning = thresholds(n, m, dof, tests)
    return FeatureDrift(
        name=name,
        kind=kind,
        measure="psi",
        value=value,
        threshold=drift,
        warning_threshold=warning,
        status=_status(value, drift, warning),
        training_rows=n,
        job_rows=m,
        bins=[
            Bin(label, _share(int(t), n), _share(int(q), m))
            for label, t, q in zip(labels, training_counts[:-1], job_counts[:-1], strict=True)
            if not drop_empty_bins or t or q
        ],
        missing_training=_share(int(training_counts[-1]), n),
        missing_job=_share(int(job_counts[-1]), m),
    )


def _numeric_detail(ref: NumericReference, bins: _NumericBins, j: int, tests: int) -> FeatureDrift:
    slots = len(ref.edges) + 1
    job_counts = np.asarray([*bins.counts[j, :slots], bins.missing[j]], dtype=np.int64)
    training_counts = np.asarray([*ref.counts, ref.missing], dtype=np.int64)
    compared = _compared(
        ref.name, "numeric", training_counts, job_counts, ref.rows, _bin_labels(ref.edges), tests
    )
    present = max(compared.job_rows - int(job_counts[-1]), 1)
    below, above = int(bins.below[j]), int(bins.above[j])
    return replace(
        compared,
        outside_range=(below + above) / present,
        below_min=below / present,
        above_max=above / present,
        training_min=ref.min,
        training_max=ref.max,
        job_min=_finite(bins.job_min[j]),
        job_max=_finite(bins.job_max[j]),
    )


def _categorical_detail(counts: _CategoryCounts, tests: int) -> FeatureDrift:
    ref = counts.reference
    # The most frequent training categories get a bin each; the rest share one, as do unseen.
    kept = min(len(ref.categories), MAX_CATEGORY_BINS)
    ref_counts = np.asarray(ref.counts, dtype=np.int64)
    training_counts = np.asarray(
        [*ref_counts[:kept], ref_counts[kept:].sum(), 0, ref.missing], dtype=np.int64
    )
    job_counts = np.asarray(
        [*counts.counts[:kept], counts.counts[kept:].sum(), counts.unseen, counts.missing],
        dtype=np.int64,
    )
    labels = [*ref.categories[:kept], "other training categories", "unseen categories"]
    compared = _compared(
        ref.name,
        "categorical",
        training_counts,
        job_counts,
        ref.rows,
        labels,
        tests,
        drop_empty_bins=True,
    )
    examples = sorted(counts.unseen_names.items(), key=lambda item: (-item[1], item[0]))
    return replace(
        compared,
        unseen=_share(counts.unseen, compared.job_rows),
        unseen_examples=examples[:MAX_UNSEEN_EXAMPLES],
    )


def _bin_labels(edges: list[float]) -> list[str]:
    if not edges:
        return ["all values"]
    shown = [f"{edge:.6g}" for edge in edges]
    inner = [f"({low}, {high}]" for low, high in pairwise(shown)]
    return [f"<= {shown[0]}", *inner, f"> {shown[-1]}"]


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
