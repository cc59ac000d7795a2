"""Each model's recent drift: one small record per scored job, in ModelsTable (docs/drift.md).

`DRIFT#<finished_at>#<job_id>` under the model's name, with a TTL, written when a job succeeds;
`recent(model, n)` reads the newest n. `trend` is what `GET /models/{name}/drift` answers, and
`sustained(records, k, n)` the k-of-n rule for retraining on sustained drift (off by default).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, Field, model_validator

from batchscore_core.drift_models import DriftStatus, FeatureDrift, PredictionDrift
from batchscore_core.models import Job

DRIFT_PREFIX = "DRIFT#"
RECORD_DAYS = 30  # how long a job's record stays in the trend (DynamoDB TTL, `expires_at`)
MAX_RECENT = 100  # the most records one read returns


class DriftRecord(BaseModel):
    """One scored job's drift, without its owner: what the model's trend is made of."""

    model: str
    job_id: str
    model_version: str | None
    finished_at: str
    rows: int
    status: DriftStatus
    features: list[FeatureDrift] = Field(default_factory=list)
    prediction: PredictionDrift = Field(
        default_factory=lambda: PredictionDrift(status="unavailable")
    )

    @classmethod
    def of_job(cls, job: Job) -> DriftRecord | None:
        """None for a job with no model name, no drift, or drift `unavailable`."""
        if job.model_name is None or job.drift is None or job.drift.status == "unavailable":
            return None
        return cls(
            model=job.model_name,
            job_id=job.job_id,
            model_version=job.model_version,
            finished_at=job.finished_at or job.updated_at,
            rows=job.rows_done,
            status=job.drift.status,
            features=job.drift.features,
            prediction=job.drift.prediction,
        )


class DriftLog:
    """The records in ModelsTable; `resource` for tests (moto), else boto3's, made here."""

    def __init__(
        self, table_name: str, resource: Any | None = None, *, days: int = RECORD_DAYS
    ) -> None:
        self._table: Any = (resource or boto3.resource("dynamodb")).Table(table_name)
        self._days = days

    def record(self, record: DriftRecord) -> None:
        self._table.put_item(
            Item={
                "name": record.model,
                "sk": f"{DRIFT_PREFIX}{record.finished_at}#{record.job_id}",
                "status": record.status,
                # One text attribute: the floats stay as written, and the item stays small.
                "record": record.model_dump_json(exclude={"model"}),
                "expires_at": int(time.time()) + self._days * 86_400,
            }
        )

    def recent(self, model: str, n: int) -> list[DriftRecord]:
        """The model's newest `n` records (at most MAX_RECENT), newest first."""
        limit = max(1, min(n, MAX_RECENT))
        page = self._table.query(
            KeyConditionExpression=Key("name").eq(model) & Key("sk").begins_with(DRIFT_PREFIX),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [
            DriftRecord.model_validate({**json.loads(str(item["record"])), "model": model})
            for item in page.get("Items", [])
        ]


def recent_drift(model: str, n: int, log: DriftLog | None = None) -> list[DriftRecord]:
    """The latest n jobs' drift of `model`, newest first (the retraining trigger reads this)."""
    if log is None:
        from batchscore_core.adapters import drift_log

        log = drift_log()
    return log.recent(model, n)


class SustainedDrift(BaseModel):
    """Retrain when at least `k` of the model's last `n` jobs drifted; `enabled` is off by default.

    From the setting `DRIFT_RETRAIN_K_OF_N`: `""` (off) or `"<k>/<n>"`, e.g. `"3/5"`.
    """

    enabled: bool = False
    k: int = Field(default=3, ge=1)
    n: int = Field(default=5, ge=1, le=MAX_RECENT)

    @model_validator(mode="after")
    def _k_within_n(self) -> SustainedDrift:
        if self.k > self.n:
            raise ValueError("k must not exceed n")
        return self

    @classmethod
    def parse(cls, text: str) -> SustainedDrift:
        if not text.strip():
            return cls()
        k, sep, n = text.strip().partition("/")
        if not sep:
            raise ValueError(f"expected <k>/<n>, got {text!r}")
        return cls(enabled=True, k=int(k), n=int(n))


def sustained(records: Sequence[DriftRecord], k: int, n: int) -> bool:
    """At least k of the newest n records (newest first) at `drift`; fewer than k records: no."""
    if k < 1 or n < k:
        raise ValueError("needs 1 <= k <= n")
    return sum(1 for record in records[:n] if record.status == "drift") >= k


# ------------------------------------------------------------------- the trend view


class TrendJob(BaseModel):
    finished_at: str
    model_version: str | None
    rows: int
    status: DriftStatus
    prediction: PredictionDrift


class TrendPoint(BaseModel):
    finished_at: str
    value: float
    threshold: float
    status: DriftStatus


class FeatureTrend(BaseModel):
    name: str
    drifted: int  # of the jobs listed, how many had this feature at `drift`
    warned: int  # ... and at `warning`
    points: list[TrendPoint]  # newest first, one per listed job that measured the feature


class DriftTrend(BaseModel):
    """`GET /models/{name}/drift`: the recent jobs, newest first, and per feature its series."""

    name: str
    jobs: list[TrendJob]
    features: list[FeatureTrend]  # most often drifted first


def trend(model: str, records: Sequence[DriftRecord]) -> DriftTrend:
    series: dict[str, list[TrendPoint]] = {}
    for record in records:
        for feature in record.features:
            series.setdefault(feature.name, []).append(
                TrendPoint(
                    finished_at=record.finished_at,
                    value=feature.value,
                    threshold=feature.threshold,
                    status=feature.status,
                )
            )
    features = [
        FeatureTrend(
            name=name,
            drifted=sum(point.status == "drift" for point in points),
            warned=sum(point.status == "warning" for point in points),
            points=points,
        )
        for name, points in series.items()
    ]
    features.sort(key=lambda f: (-f.drifted, -f.warned, f.name))
    jobs = [
        TrendJob.model_validate(record.model_dump(include=set(TrendJob.model_fields)))
        for record in records
    ]
    return DriftTrend(name=model, jobs=jobs, features=features)
