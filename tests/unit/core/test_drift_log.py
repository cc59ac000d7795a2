"""The per-model drift records: the k-of-n rule, its setting, the trend view, the job's record."""

from __future__ import annotations

import pytest

from batchscore_core.drift_log import DriftRecord, SustainedDrift, sustained, trend
from batchscore_core.drift_models import FeatureDrift, JobDrift, PredictionDrift
from batchscore_core.models import Job
from tests.jobs_support import FINISHED_AT, finished_api_job


def record(
    status: str, *, at: str = "2026-12-01T10:00:00.000Z", value: float = 0.05
) -> DriftRecord:
    feature_status = "drift" if status == "drift" else "ok"
    return DriftRecord.model_validate(
        {
            "model": "m",
            "job_id": "0" * 32,
            "model_version": "m-1",
            "finished_at": at,
            "rows": 100,
            "status": status,
            "features": [
                {
                    "name": "a",
                    "measure": "psi",
                    "value": value,
                    "threshold": 0.1,
                    "status": feature_status,
                },
                {"name": "b", "measure": "psi", "value": 0.01, "threshold": 0.1, "status": "ok"},
            ],
            "prediction": {"measure": "psi", "value": 0.02, "status": "ok"},
        }
    )


def test_k_of_the_last_n_drifted_is_sustained() -> None:
    # Given the newest first: drift, ok, drift, drift, ok
    records = [record(s) for s in ("drift", "ok", "drift", "drift", "ok")]
    # When / Then
    assert sustained(records, k=3, n=4)
    assert not sustained(records, k=3, n=3)
    assert not sustained(records, k=4, n=5)


def test_fewer_records_than_k_is_not_sustained() -> None:
    assert not sustained([record("drift"), record("drift")], k=3, n=5)


def test_warnings_do_not_count_towards_sustained_drift() -> None:
    assert not sustained([record("warning")] * 5, k=1, n=5)


def test_k_above_n_is_refused() -> None:
    with pytest.raises(ValueError):
        sustained([], k=4, n=3)


def test_the_setting_is_off_by_default_and_reads_k_of_n() -> None:
    # Given / When
    off, on = SustainedDrift.parse(""), SustainedDrift.parse("3/5")
    # Then
    assert not off.enabled
    assert (on.enabled, on.k, on.n) == (True, 3, 5)
    for bad in ("3", "6/5", "0/5", "a/b"):
        with pytest.raises(ValueError):
            SustainedDrift.parse(bad)


def test_the_trend_lists_jobs_newest_first_and_features_most_drifted_first() -> None:
    # Given two records, newest first
    records = [
        record("drift", at="2026-12-01T11:00:00.000Z", value=0.4),
        record("ok", at="2026-12-01T10:00:00.000Z"),
    ]
    # When
    view = trend("m", records).model_dump(mode="json")
    # Then
    assert [job["finished_at"] for job in view["jobs"]] == [r.finished_at for r in records]
    assert set(view["jobs"][0]) == {"finished_at", "model_version", "rows", "status", "prediction"}
    assert [f["name"] for f in view["features"]] == ["a", "b"]
    first = view["features"][0]
    assert (first["drifted"], first["warned"]) == (1, 0)
    assert [p["status"] for p in first["points"]] == ["drift", "ok"]
    assert first["points"][0]["value"] == pytest.approx(0.4)


def job(drift: JobDrift | None, model_name: str | None = "m") -> Job:
    return finished_api_job(
        "1" * 32, "someone", rows=42, model_name=model_name, model_version="m-1", drift=drift
    )


def test_a_job_with_measured_drift_gives_its_record() -> None:
    # Given
    drift = JobDrift(
        status="drift",
        features=[FeatureDrift(name="a", measure="psi", value=0.5, threshold=0.1, status="drift")],
        prediction=PredictionDrift(measure="psi", value=0.01, status="ok"),
    )
    # When
    made = DriftRecord.of_job(job(drift))
    # Then
    assert made is not None
    assert (made.model, made.rows, made.status) == ("m", 42, "drift")
    assert made.finished_at == FINISHED_AT


def test_unavailable_or_unknown_drift_gives_no_record() -> None:
    assert DriftRecord.of_job(job(None)) is None
    assert DriftRecord.of_job(job(JobDrift(status="unavailable"))) is None
    assert DriftRecord.of_job(job(JobDrift(status="ok"), model_name=None)) is None
