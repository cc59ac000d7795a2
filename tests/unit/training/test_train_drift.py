"""Retraining on sustained drift: when k of the model's last n jobs drifted since its last run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from train_drift import drift_warrants_run

from batchscore_core.drift_log import DriftRecord, SustainedDrift
from batchscore_core.drift_models import DriftStatus
from batchscore_core.training_runs import TrainingRun

RULE = SustainedDrift(enabled=True, k=2, n=3)


def record(finished_at: str, status: DriftStatus) -> DriftRecord:
    return DriftRecord(
        model="m",
        job_id=f"job-{finished_at}",
        model_version="v1",
        finished_at=finished_at,
        rows=1000,
        status=status,
    )


def newest_first(*records: DriftRecord) -> Callable[[int], Sequence[DriftRecord]]:
    ordered = sorted(records, key=lambda r: r.finished_at, reverse=True)

    def recent(n: int) -> Sequence[DriftRecord]:
        return ordered[:n]

    return recent


def run_started(at: str) -> TrainingRun:
    return TrainingRun(run_id="r1", model="m", trigger="schedule", started_at=at)


def test_off_by_default_never_warrants_a_run() -> None:
    recent = newest_first(record("2026-01-02T00:00:00.000Z", "drift"))
    assert not drift_warrants_run(SustainedDrift(), recent, [])


def test_k_of_the_last_n_drifted_warrants_a_run() -> None:
    recent = newest_first(
        record("2026-01-01T00:00:00.000Z", "drift"),
        record("2026-01-02T00:00:00.000Z", "ok"),
        record("2026-01-03T00:00:00.000Z", "drift"),
    )
    assert drift_warrants_run(RULE, recent, [])


def test_fewer_than_k_drifted_does_not() -> None:
    recent = newest_first(
        record("2026-01-01T00:00:00.000Z", "drift"),
        record("2026-01-02T00:00:00.000Z", "ok"),
        record("2026-01-03T00:00:00.000Z", "warning"),
    )
    assert not drift_warrants_run(RULE, recent, [])


def test_jobs_before_the_latest_run_began_do_not_count_again() -> None:
    # Given two drifted jobs, then a run, then one more drifted job
    recent = newest_first(
        record("2026-01-01T00:00:00.000Z", "drift"),
        record("2026-01-02T00:00:00.000Z", "drift"),
        record("2026-01-04T00:00:00.000Z", "drift"),
    )
    latest = [run_started("2026-01-03T00:00:00.000Z")]

    # Then one drifted job since the run is not enough; a second one is
    assert not drift_warrants_run(RULE, recent, latest)
    more = newest_first(
        record("2026-01-01T00:00:00.000Z", "drift"),
        record("2026-01-04T00:00:00.000Z", "drift"),
        record("2026-01-05T00:00:00.000Z", "drift"),
    )
    assert drift_warrants_run(RULE, more, latest)
