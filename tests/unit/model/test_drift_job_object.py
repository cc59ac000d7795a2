"""The monitor's `drift` object survives the Job model and JobStore's item shape unchanged."""

from __future__ import annotations

import json

import numpy as np
import pytest

from batchscore_core.drift_models import JobDrift
from batchscore_core.store import _dynamo_value
from batchscore_model.drift import DriftMonitor
from tests.unit.model.drift_support import monitor_job, population, predict, synthetic_reference


def stored_and_read(drift: dict) -> dict:
    item = _dynamo_value(JobDrift.model_validate(drift))
    return JobDrift.model_validate(json.loads(json.dumps(item))).model_dump(mode="json")


def test_a_drifted_job_object_reads_back_as_it_was_written() -> None:
    # Given
    rng = np.random.default_rng(0)
    reference = synthetic_reference(rng)
    job = population(rng, 1000)
    job["normal"] += 1.0
    labels, probabilities = predict(job)
    drift = monitor_job(reference, job, labels, probabilities).to_job()
    # When
    read = stored_and_read(drift)
    # Then
    assert read["status"] == "drift"
    assert [f["name"] for f in read["features"]] == [f["name"] for f in drift["features"]]
    for before, after in zip(drift["features"], read["features"], strict=True):
        assert after["value"] == pytest.approx(before["value"])
        assert after["threshold"] == pytest.approx(before["threshold"])
    assert JobDrift.model_validate(read).drifted == ["normal"]


def test_an_unavailable_job_object_keeps_its_null_prediction() -> None:
    # Given
    drift = DriftMonitor(None).result().to_job()
    # When / Then
    assert stored_and_read(drift) == drift
