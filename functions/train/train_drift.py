"""Retraining on sustained drift (docs/drift.md): does the model's recent drift warrant a run?

ProcessFunction asks (a `drift` message on TrainingQueue) after each job whose drift status is
`drift`, when `DRIFT_RETRAIN_K_OF_N` is set. The rule counts only jobs that finished after the
model's latest run began, so one spell of drift starts one run, not one per drifted job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from batchscore_core.drift_log import DriftRecord, SustainedDrift, sustained
from batchscore_core.training_runs import TrainingRun


def drift_warrants_run(
    rule: SustainedDrift,
    recent: Callable[[int], Sequence[DriftRecord]],
    latest_runs: Sequence[TrainingRun],
) -> bool:
    """`recent(n)`: the model's newest n drift records, newest first; `latest_runs`: its runs,
    newest first (only the first is read)."""
    if not rule.enabled:
        return False
    since = latest_runs[0].started_at if latest_runs else ""
    records = [record for record in recent(rule.n) if record.finished_at > since]
    return sustained(records, rule.k, rule.n)
