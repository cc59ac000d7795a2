"""The workbook's `drift` sheet: features by severity, training and job distributions side by side."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from batchscore_model.drift import DriftResult, FeatureDrift

DRIFT_SHEET = "drift"
HEADER = ["feature", "status", "measure", "value", "threshold", "bin", "training", "job", "change"]
WIDTHS = [30.0, 11.0, 9.0, 9.0, 10.0, 40.0, 10.0, 10.0, 10.0]


class SheetWriter(Protocol):
    """What this module needs of `XlsxStreamWriter`: one small sheet of Python values."""

    def write_sheet(
        self, name: str, header: list[str], rows: Iterable[Sequence[object]], widths: list[float]
    ) -> None: ...


def write_drift_sheet(writer: SheetWriter, result: DriftResult) -> None:
    writer.write_sheet(DRIFT_SHEET, HEADER, drift_rows(result), WIDTHS)


def drift_rows(result: DriftResult) -> list[list[object]]:
    """One row per bin of each compared column; the prediction first, then features by severity."""
    if result.reason is not None:
        return [["(all)", "unavailable", None, None, None, result.reason, None, None, None]]
    rows: list[list[object]] = [
        ["(all)", result.status, None, None, None, f"{result.rows} rows scored", None, None, None]
    ]
    if result.prediction is not None:
        rows += _group(result.prediction, f"prediction: {result.prediction.name}")
    for detail in result.features:
        rows += _group(detail, detail.name)
    return rows


def _group(detail: FeatureDrift, name: str) -> list[list[object]]:
    head: list[object] = [
        name,
        detail.status,
        detail.measure,
        round(detail.value, 4),
        round(detail.threshold, 4),
    ]
    rows = [
        [*head, b.label, _r(b.training), _r(b.job), _r(b.job - b.training)] for b in detail.bins
    ]
    rows.append(
        [
            *head,
            "missing",
            _r(detail.missing_training),
            _r(detail.missing_job),
            _r(detail.missing_change),
        ]
    )
    if detail.outside_range is not None:
        span = f"[{_g(detail.training_min)}, {_g(detail.training_max)}]"
        seen = f"[{_g(detail.job_min)}, {_g(detail.job_max)}]"
        label = f"outside the training range {span} (job range {seen})"
        rows.append([*head, label, 0.0, _r(detail.outside_range), _r(detail.outside_range)])
    if detail.unseen_examples:
        examples = ", ".join(f"{value} ({count})" for value, count in detail.unseen_examples)
        rows.append([*head, f"unseen: {examples}", None, _r(detail.unseen or 0.0), None])
    return rows


def _r(share: float) -> float:
    return round(share, 4)


def _g(value: float | None) -> str:
    return "none" if value is None else f"{value:.6g}"
