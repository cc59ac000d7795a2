"""Drift as CloudWatch metrics, per model (dimension `model`), one data point per scored job.

`JobsDrifted` is 1 for a job at `drift` and 0 otherwise (Sum: drifted jobs, Average: their
share), `JobsDriftWarned` the same for `warning`, `DriftedFeatures` how many features drifted.
Jobs whose drift is `unavailable` record nothing.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from batchscore_core.models import Job
from batchscore_core.observability import metrics

DIMENSION = "model"


def record_drift_metrics(job: Job) -> None:
    drift = job.drift
    if drift is None or drift.status == "unavailable":
        return
    model = job.model_name or "unknown"
    # single_metric: its own EMF document, so the model dimension stays off the job's metrics.
    values = {
        "JobsDrifted": 1.0 if drift.status == "drift" else 0.0,
        "JobsDriftWarned": 1.0 if drift.status == "warning" else 0.0,
        "DriftedFeatures": float(len(drift.drifted)),
    }
    for name, value in values.items():
        with single_metric(
            name=name, unit=MetricUnit.Count, value=value, namespace=metrics.namespace
        ) as metric:
            metric.add_dimension(name=DIMENSION, value=model)
