"""`Drift Detected` follows `Job Succeeded` for a drifted job only; a warning is no event."""

from __future__ import annotations

import json

import pytest

from batchscore_core.drift_metrics import record_drift_metrics
from batchscore_core.drift_models import DRIFT_DETECTED, FeatureDrift, JobDrift
from batchscore_core.events import JobEvents
from batchscore_core.notify import Announcer
from tests.unit.core.test_event_failures import FakeEvents, succeeded_job


def drifted(status: str) -> JobDrift:
    feature = "drift" if status == "drift" else status
    return JobDrift(
        status=status,
        features=[
            FeatureDrift(name="b", measure="psi", value=0.5, threshold=0.1, status=feature),
            FeatureDrift(name="a", measure="psi", value=0.01, threshold=0.1, status="ok"),
        ],
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("drift", ["Job Succeeded", DRIFT_DETECTED]),
        ("warning", ["Job Succeeded"]),
        ("ok", ["Job Succeeded"]),
        ("unavailable", ["Job Succeeded"]),
    ],
)
def test_only_a_drifted_job_raises_drift_detected(status: str, expected: list[str]) -> None:
    # Given
    client = FakeEvents(failures=0)
    job = succeeded_job().model_copy(update={"drift": drifted(status), "model_name": "m"})
    # When
    Announcer(JobEvents("default", client=client)).announce(job)
    # Then
    assert [call[0]["DetailType"] for call in client.calls] == expected


def test_the_drift_event_names_the_drifted_features_and_the_model() -> None:
    # Given
    client = FakeEvents(failures=0)
    job = succeeded_job().model_copy(
        update={"drift": drifted("drift"), "model_name": "m", "model_version": "m-1"}
    )
    # When
    JobEvents("default", client=client).publish_drift(job)
    # Then
    detail = json.loads(client.calls[0][0]["Detail"])
    assert (detail["model_name"], detail["model_version"], detail["owner"]) == ("m", "m-1", "u")
    assert detail["features"] == ["b"]
    assert detail["drift"]["status"] == "drift"


def test_a_job_without_drift_raises_only_its_own_event() -> None:
    # Given a job scored before drift existed
    client = FakeEvents(failures=0)
    # When
    Announcer(JobEvents("default", client=client)).announce(succeeded_job())
    # Then
    assert [call[0]["DetailType"] for call in client.calls] == ["Job Succeeded"]


def emitted(stdout: str) -> dict[str, list[tuple[float, str]]]:
    """Metric name -> (value, model) of the EMF documents printed."""
    found: dict[str, list[tuple[float, str]]] = {}
    for line in stdout.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for metric in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                values = document[metric["Name"]]
                for value in values if isinstance(values, list) else [values]:
                    found.setdefault(metric["Name"], []).append((value, document.get("model")))
    return found


def test_drift_metrics_are_per_model_and_absent_when_unavailable(capsys) -> None:
    # Given a warned job and one whose drift is unavailable
    warned = succeeded_job().model_copy(update={"drift": drifted("warning"), "model_name": "m"})
    unmeasured = succeeded_job().model_copy(
        update={"drift": JobDrift(status="unavailable"), "model_name": "n"}
    )
    # When
    record_drift_metrics(warned)
    record_drift_metrics(unmeasured)
    # Then
    metrics = emitted(capsys.readouterr().out)
    assert metrics == {
        "JobsDrifted": [(0.0, "m")],
        "JobsDriftWarned": [(1.0, "m")],
        "DriftedFeatures": [(0.0, "m")],
    }
