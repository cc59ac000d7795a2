"""The row contract: what a row must hold for the model, built once from its schema.

One set of rules for every way rows arrive: the engine applies it to a chunk's columns at once
(CSV text, or floats pandas already parsed with the same missing tokens), `/predict` to the
columns of its JSON rows. Each problem and warning has a `reason` that reads the same both
ways; the caller says where it was (a CSV line, a request row).

- Missing: absent, `None`, empty or blank text, and the `MISSING_TOKENS` (numeric columns).
  Imputed by a model that accepts missing values (a warning), else a problem.
- Numeric columns take finite numbers: numbers, or text that parses as one. Anything else
  (text, booleans, `1e999`, an integer past float's range) is a problem.
- Values outside the training range (`min`/`max` of the schema) are scored, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from batchscore_model.schema import ModelInfo

# Given to the model as a missing value and written as an empty cell (see the README policy).
MISSING_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", "none")
_MISSING = frozenset(MISSING_TOKENS)

REQUIRED = "a value is required"
IMPUTED = "missing, imputed by the model"


@dataclass(frozen=True)
class Finding:
    """A problem or warning at `index` (a row of the batch) in `column`."""

    index: int
    column: str
    reason: str


@dataclass
class Checked:
    """A batch of rows against the contract."""

    numbers: dict[str, np.ndarray]  # numeric columns as floats (NaN = missing), every row
    features: pd.DataFrame  # every row, model columns in model order
    bad: np.ndarray  # rows that break the contract
    problems: list[Finding] = field(default_factory=list)
    code: str | None = None  # `bad_value` or `missing_value`, for a job-level rejection
    warnings: list[Finding] = field(default_factory=list)  # listed, at most `room`
    warnings_total: int = 0


def not_a_number(value: object) -> str:
    written = repr(value)
    if len(written) > 60:
        written = f"{written[:40]}… ({len(written)} characters)"
    return f"{written} is not a number"


def outside_range(value: float, low: float | None, high: float | None) -> str:
    return f"{value!r} is outside the training range [{low!r}, {high!r}]"


class RowContract:
    def __init__(self, info: ModelInfo) -> None:
        self.info = info
        self.numeric = [c.name for c in info.columns if c.dtype != "category"]
        self._specs = {c.name: c for c in info.columns}

    def check(
        self,
        raw: Mapping[str, np.ndarray | Sequence[Any]],
        count: int,
        *,
        room: int = 0,
        texts: Callable[[str], Sequence[Any]] | None = None,
        text_values: bool = True,
    ) -> Checked:
        """Check `count` rows given column-wise; columns absent from `raw` are all missing.

        `raw` holds text as written (`text_values`), JSON values, or floats already parsed with
        `MISSING_TOKENS`; `texts(name)` gives a parsed column as written, for messages.
        At most `room` warnings are listed; all are counted.
        """
        bad = np.zeros(count, dtype=bool)
        problems: list[Finding] = []
        code: str | None = None
        numbers: dict[str, np.ndarray] = {}
        for name in self.numeric:
            if name not in raw:
                continue
            values, invalid = to_numbers(raw[name], text=text_values)
            if invalid.any():
                written = texts(name) if texts is not None else raw[name]
                for index in np.flatnonzero(invalid).tolist():
                    problems.append(Finding(index, name, not_a_number(written[index])))
                code = code or "bad_value"
                bad |= invalid
            numbers[name] = values
        features = self._features(numbers, raw, count)
        missing = features.isna().to_numpy()
        if not self.info.accepts_missing:
            strict = missing & ~bad[:, None]
            for row, col in zip(*np.nonzero(strict), strict=True):
                problems.append(Finding(int(row), self.info.feature_names[col], REQUIRED))
            code = code or ("missing_value" if strict.any() else None)
            bad |= strict.any(axis=1)
        problems.sort(key=lambda finding: finding.index)
        checked = Checked(numbers, features, bad, problems, code)
        self._warn(checked, missing, set(raw), room)
        return checked

    def _features(
        self, numbers: dict[str, np.ndarray], raw: Mapping[str, Any], count: int
    ) -> pd.DataFrame:
        columns: dict[str, object] = {}
        for spec in self.info.columns:
            if spec.name in numbers:
                columns[spec.name] = numbers[spec.name]
            elif spec.name in raw:
                columns[spec.name] = [_category(value) for value in raw[spec.name]]
            else:
                columns[spec.name] = np.full(count, np.nan)
        return pd.DataFrame(columns, index=pd.RangeIndex(count))

    def _warn(self, checked: Checked, missing: np.ndarray, present: set[str], room: int) -> None:
        """Imputed cells and values outside the training range, in row order."""
        names = self.info.feature_names
        flags = np.zeros_like(missing)
        if self.info.accepts_missing:
            # an absent optional column is one warning at the header, not one per row
            flags |= missing & np.array([name in present for name in names])[None, :]
        for col, name in enumerate(names):
            spec = self._specs[name]
            values = checked.numbers.get(name)
            if values is None or (spec.min is None and spec.max is None):
                continue
            with np.errstate(invalid="ignore"):
                low = values < spec.min if spec.min is not None else False
                high = values > spec.max if spec.max is not None else False
            flags[:, col] |= low | high
        flags &= ~checked.bad[:, None]
        checked.warnings_total = int(flags.sum())
        if not room or not checked.warnings_total:
            return
        rows, cols = np.nonzero(flags)
        for row, col in zip(rows[:room].tolist(), cols[:room].tolist(), strict=True):
            name = names[col]
            if missing[row, col]:
                reason = IMPUTED
            else:
                spec = self._specs[name]
                reason = outside_range(float(checked.numbers[name][row]), spec.min, spec.max)
            checked.warnings.append(Finding(row, name, reason))


def to_numbers(
    raw: np.ndarray | Sequence[Any], *, text: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 values (NaN = missing) and a mask of the values that are not finite numbers.

    `text`: the values are written text (vectorised); else JSON values, judged one by one.
    """
    if isinstance(raw, np.ndarray) and raw.dtype.kind in "fiu":
        values = raw.astype(np.float64, copy=False)
        return values, np.isinf(values)
    items = raw if isinstance(raw, list | tuple) else list(raw)
    values = np.empty(0)
    if text:
        try:
            parsed = pd.to_numeric(pd.Series(items, dtype=object), errors="coerce")
            values = parsed.to_numpy(dtype=np.float64, copy=True)
        except OverflowError:  # an integer past float's range: judged one by one
            text = False
    if not text:
        values = np.array([_number(item) for item in items], dtype=np.float64)
    suspect = ~np.isfinite(values)
    if suspect.any():
        for index in np.flatnonzero(suspect).tolist():
            if _is_missing(items[index]):
                suspect[index] = False
        values[~np.isfinite(values)] = np.nan
    return values, suspect


def _number(value: Any) -> float:
    """One value as a float; NaN when missing, infinity when not a finite number."""
    if _is_missing(value):
        return float("nan")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return float("inf")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return float("inf")
    return number if np.isfinite(number) else float("inf")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in _MISSING
    return isinstance(value, float) and value != value  # NaN: a token pandas already read


def _category(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value)
