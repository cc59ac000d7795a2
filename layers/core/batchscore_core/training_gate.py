"""The accuracy gate of a retraining run: may the candidate replace the champion? Light: stdlib.

A candidate passes when every check passes:
- `floor`: its primary metric is at least the absolute floor;
- `champion`: it is no worse than the champion's minus `tolerance` (or, with `min_gain`, better
  than the champion's by at least that much), both measured on the same holdout;
- `schema`: it reads the champion's input columns, or the recipe declares the change;
- `steps`: no step of the run failed (evaluating the champion included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_TOLERANCE = 0.005


@dataclass(frozen=True)
class GatePolicy:
    primary_metric: str
    floor: float
    tolerance: float | None = DEFAULT_TOLERANCE
    min_gain: float | None = None  # instead of tolerance: the candidate must beat the champion
    greater_is_better: bool = True
    schema_change: bool = False  # the recipe declares that the input columns change


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class GateResult:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "checks": [check.to_dict() for check in self.checks]}


def _fmt(value: float) -> str:
    return f"{value:.4f}"


def _at_least(value: float, bound: float, policy: GatePolicy) -> bool:
    return value >= bound if policy.greater_is_better else value <= bound


def floor_check(candidate: float, policy: GatePolicy) -> Check:
    word = ">=" if policy.greater_is_better else "<="
    passed = _at_least(candidate, policy.floor, policy)
    verdict = "" if passed else " (below the floor)"
    detail = f"{policy.primary_metric} {_fmt(candidate)} {word} {_fmt(policy.floor)}{verdict}"
    return Check("floor", passed, detail)


def champion_check(candidate: float, champion: float | None, policy: GatePolicy) -> Check:
    metric = policy.primary_metric
    if champion is None:
        return Check("champion", False, "the champion could not be evaluated on the holdout")
    sign = 1 if policy.greater_is_better else -1
    if policy.min_gain is not None:
        bound = champion + sign * policy.min_gain
        rule = f"champion {_fmt(champion)} + min_gain {policy.min_gain:g}"
    else:
        tolerance = policy.tolerance if policy.tolerance is not None else DEFAULT_TOLERANCE
        bound = champion - sign * tolerance
        rule = f"champion {_fmt(champion)} - tolerance {tolerance:g}"
    passed = _at_least(candidate, bound, policy)
    verdict = "" if passed else " (worse than the champion)"
    word = ">=" if policy.greater_is_better else "<="
    return Check("champion", passed, f"{metric} {_fmt(candidate)} {word} {rule}{verdict}")


def schema_check(
    candidate_columns: Sequence[str], champion_columns: Sequence[str] | None, policy: GatePolicy
) -> Check:
    if champion_columns is None:
        return Check("schema", False, "the champion's input schema could not be read")
    if list(candidate_columns) == list(champion_columns):
        return Check("schema", True, f"the champion's {len(champion_columns)} input columns")
    added = [name for name in candidate_columns if name not in champion_columns]
    removed = [name for name in champion_columns if name not in candidate_columns]
    change = f"added {added or 'none'}, removed {removed or 'none'}"
    if not added and not removed:
        change = "same columns, another order"
    if policy.schema_change:
        return Check("schema", True, f"input columns changed, as the recipe declares: {change}")
    return Check("schema", False, f"input columns differ from the champion's: {change}")


def steps_check(failed_steps: Sequence[str]) -> Check:
    if failed_steps:
        return Check("steps", False, "failed: " + "; ".join(failed_steps))
    return Check("steps", True, "every step succeeded")


def judge(
    policy: GatePolicy,
    *,
    candidate: dict[str, float],
    champion: dict[str, float] | None,
    candidate_columns: Sequence[str],
    champion_columns: Sequence[str] | None,
    failed_steps: Sequence[str] = (),
) -> GateResult:
    """The gate's checks, in a fixed order; `champion` None when it could not be evaluated."""
    value = candidate[policy.primary_metric]
    champion_value = None if champion is None else champion.get(policy.primary_metric)
    return GateResult(
        (
            floor_check(value, policy),
            champion_check(value, champion_value, policy),
            schema_check(candidate_columns, champion_columns, policy),
            steps_check(failed_steps),
        )
    )


def promotion_reason(policy: GatePolicy, candidate: float, champion: float | None) -> str:
    """The alias history's reason, e.g. `retrained: roc_auc 0.9810 → 0.9860`."""
    before = "n/a" if champion is None else f"{champion:.4f}"
    return f"retrained: {policy.primary_metric} {before} → {candidate:.4f}"
