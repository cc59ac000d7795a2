"""The accuracy gate: floor, champion comparison (tolerance or min gain), schema, steps."""

from __future__ import annotations

from batchscore_core.training_gate import GatePolicy, judge, promotion_reason

COLUMNS = ["a", "b"]
AUC = GatePolicy(primary_metric="roc_auc", floor=0.95, tolerance=0.005)


def failed(policy: GatePolicy, candidate: float, champion: float | None, **kw: object) -> list[str]:
    result = judge(
        policy,
        candidate={policy.primary_metric: candidate},
        champion=None if champion is None else {policy.primary_metric: champion},
        candidate_columns=kw.get("columns", COLUMNS),  # type: ignore[arg-type]
        champion_columns=COLUMNS,
        failed_steps=kw.get("steps", ()),  # type: ignore[arg-type]
    )
    return [check.name for check in result.failed]


def test_a_candidate_within_tolerance_of_the_champion_passes() -> None:
    assert failed(AUC, 0.978, 0.981) == []


def test_a_candidate_below_the_floor_fails_the_floor() -> None:
    assert failed(AUC, 0.94, 0.90) == ["floor"]


def test_a_candidate_worse_than_the_champion_by_more_than_the_tolerance_fails() -> None:
    assert failed(AUC, 0.970, 0.990) == ["champion"]


def test_with_a_min_gain_the_candidate_must_beat_the_champion() -> None:
    policy = GatePolicy(primary_metric="roc_auc", floor=0.9, tolerance=None, min_gain=0.01)

    assert failed(policy, 0.985, 0.98) == ["champion"]
    assert failed(policy, 0.991, 0.98) == []


def test_a_lower_is_better_metric_reverses_the_comparisons() -> None:
    policy = GatePolicy(primary_metric="mae", floor=50.0, tolerance=1.0, greater_is_better=False)

    assert failed(policy, 44.0, 43.5) == []
    assert failed(policy, 52.0, 51.5) == ["floor"]
    assert failed(policy, 46.0, 43.0) == ["champion"]


def test_a_champion_that_could_not_be_evaluated_fails_the_comparison() -> None:
    assert failed(AUC, 0.99, None, steps=["evaluating the champion: boom"]) == [
        "champion",
        "steps",
    ]


def test_changed_columns_fail_unless_the_recipe_declares_the_change() -> None:
    declared = GatePolicy(primary_metric="roc_auc", floor=0.9, schema_change=True)

    assert failed(AUC, 0.99, 0.99, columns=["a", "c"]) == ["schema"]
    assert failed(declared, 0.99, 0.99, columns=["a", "c"]) == []


def test_every_check_is_named_with_a_detail() -> None:
    result = judge(
        AUC,
        candidate={"roc_auc": 0.94},
        champion={"roc_auc": 0.99},
        candidate_columns=COLUMNS,
        champion_columns=COLUMNS,
    )

    body = result.to_dict()
    assert body["passed"] is False
    assert [check["name"] for check in body["checks"]] == ["floor", "champion", "schema", "steps"]
    assert "below the floor" in body["checks"][0]["detail"]


def test_the_promotion_reason_reads_from_old_to_new() -> None:
    assert promotion_reason(AUC, 0.986, 0.981) == "retrained: roc_auc 0.9810 → 0.9860"
