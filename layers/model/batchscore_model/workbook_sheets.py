"""What makes the result workbook readable: formats and color scales of the prediction columns,
the prediction distribution and its chart on the summary sheet, and the `columns` sheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from batchscore_model.bundle import Bundle
from batchscore_model.explain import REASON_COLUMNS
from batchscore_model.xlsx import DECIMAL_STYLE, PERCENT_STYLE
from batchscore_model.xlsx_chart import BarChart, ColorScale

COLUMNS_SHEET = "columns"
COLUMNS_HEADER = ["column", "role", "type", "description"]
COLUMNS_WIDTHS = [28.0, 16.0, 10.0, 80.0]
HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class Bin:
    label: str
    count: int
    low: float | None = None
    high: float | None = None


def prediction_style(bundle: Bundle) -> int:
    """The prediction column's cell format: decimals for a predicted value, else General."""
    return DECIMAL_STYLE if bundle.info.task == "regression" else 0


PROBABILITY_STYLE = PERCENT_STYLE


def color_scales(bundle: Bundle, first_output: int) -> list[ColorScale]:
    """A scale on each probability column (0 to 1), or on a regressor's prediction (min to max)."""
    if bundle.info.task == "regression":
        return [ColorScale(first_output)]
    width = len(bundle.output_names)
    return [ColorScale(first_output + k, 0.0, 1.0) for k in range(1, width)]


def histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> list[Bin]:
    """Equal-width bins between the smallest and largest prediction."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return []
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        return [Bin(f"{low:.4g}", len(finite), low, high)]
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return [
        Bin(
            f"{edges[k]:.4g} to {edges[k + 1]:.4g}",
            int(counts[k]),
            float(edges[k]),
            float(edges[k + 1]),
        )
        for k in range(len(counts))
    ]


def histogram_rows(bins: Sequence[Bin]) -> list[list[object]]:
    return [[f"histogram {b.label}", b.count] for b in bins]


def distribution_chart(
    rows: Sequence[Sequence[object]], prefix: str, *, title: str, sheet: str
) -> BarChart | None:
    """A column chart of the summary rows whose item starts with `prefix` (one block of rows)."""
    at = [k for k, row in enumerate(rows) if str(row[0]).startswith(prefix)]
    if not at:
        return None
    first, last = at[0] + 2, at[-1] + 2  # sheet rows: the header is row 1
    return BarChart(
        title=title,
        series="rows",
        categories=f"'{sheet}'!$A${first}:$A${last}",
        values=f"'{sheet}'!$B${first}:$B${last}",
        labels=[str(rows[k][0])[len(prefix) :] for k in at],
        counts=[float(rows[k][1]) for k in at],  # type: ignore[arg-type]
    )


def columns_rows(
    bundle: Bundle,
    header: Sequence[str],
    *,
    written: Sequence[str] | None = None,
    explain: bool,
    model_name: str | None,
) -> list[list[object]]:
    """Every column of the predictions sheet, what it holds, then the model's facts.

    `header`: the file's columns by the schema's names; `written`: as the file wrote them."""
    info = bundle.info
    specs = {spec.name: spec for spec in info.columns}
    rows: list[list[object]] = []
    for name, shown in zip(header, written or header, strict=True):
        spec = specs.get(name)
        if spec is None:
            rows.append(
                [shown, "input", "", "passed through as written; the model does not read it"]
            )
            continue
        description = _input_description(spec)
        if shown != name:
            description = f"read as the model's {name!r}; {description}"
        rows.append([shown, "model input", spec.dtype, description])
    for spec in info.columns:
        if spec.name not in header:
            rows.append([spec.name, "model input", spec.dtype, "absent from the file: imputed"])
    for output in info.outputs:
        note = ""
        if output.name.startswith("probability_"):
            note = " (shown as a percentage, with a color scale)"
        elif info.task == "regression":
            note = " (two decimals shown, with a color scale)"
        rows.append([output.name, "prediction", output.dtype, output.description + note])
    if explain:
        for rank, name in enumerate(REASON_COLUMNS, start=1):
            rows.append([name, "reason", "string", _reason_description(bundle, rank)])
    metadata = bundle.metadata
    rows += [
        ["name", "model", "", model_name or ""],
        ["version", "model", "", bundle.version],
        ["task", "model", "", info.task],
        ["estimator", "model", "", metadata.estimator],
        ["trained_at", "model", "", metadata.trained_at.isoformat()],
        ["dataset", "model", "", metadata.dataset],
        ["rows_train", "model", "", metadata.rows_train],
        ["primary_metric", "model", "", metadata.primary_metric],
    ]
    rows += [
        [f"metric {name}", "model", "number", value]
        for name, value in metadata.holdout_metrics.items()
    ]
    return rows


def _input_description(spec: object) -> str:
    required = "required" if getattr(spec, "required", True) else "optional"
    low, high = getattr(spec, "min", None), getattr(spec, "max", None)
    categories = getattr(spec, "categories", None)
    if categories:
        return f"{required}; categories seen in training: {', '.join(categories[:20])}"
    if low is not None and high is not None:
        return f"{required}; training range {low:.4g} to {high:.4g}"
    return required


def _reason_description(bundle: Bundle, rank: int) -> str:
    order = {1: "largest", 2: "second largest", 3: "third largest"}[rank]
    if bundle.info.task == "regression":
        unit = "the predicted value"
    elif _is_linear(bundle):
        unit = "the log-odds of the class named"
    else:
        unit = "the probability of the class named"
    return (
        f"the input with the {order} contribution to this row's score: its value, and by how "
        f"much it raises or lowers {unit} (contributions plus a base value add up to the score)"
    )


def _is_linear(bundle: Bundle) -> bool:
    model = (
        bundle.estimator.steps[-1][1] if hasattr(bundle.estimator, "steps") else bundle.estimator
    )
    return hasattr(model, "coef_")
