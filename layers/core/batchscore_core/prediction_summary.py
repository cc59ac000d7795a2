"""A scored job's prediction distribution, as the Job stores it and the web page charts it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field


class PredictionBin(BaseModel):
    """One bar: a class and its rows, or a range of predicted values [low, high] and its rows."""

    label: str
    count: int
    low: float | None = None
    high: float | None = None


class PredictionDistribution(BaseModel):
    kind: Literal["classes", "histogram"]
    bins: list[PredictionBin]
    stats: dict[str, float] = Field(default_factory=dict)  # regressors: min, max, mean


def distribution_of(
    counts: Mapping[str, int], histogram: Sequence[Mapping[str, Any]], stats: Mapping[str, float]
) -> PredictionDistribution | None:
    """From the engine's summary: class counts for a classifier, else the histogram."""
    if counts:
        bins = [PredictionBin(label=label, count=count) for label, count in counts.items()]
        return PredictionDistribution(kind="classes", bins=bins)
    if histogram:
        bins = [PredictionBin.model_validate(b) for b in histogram]
        return PredictionDistribution(kind="histogram", bins=bins, stats=dict(stats))
    return None
