"""Drift through ProcessFunction (moto): on the job, in the workbook, as an event, a metric and
the model's trend (GET /models/{name}/drift)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from batchscore_core import adapters
from batchscore_core.drift_log import recent_drift
from batchscore_core.drift_models import DRIFT_DETECTED
from batchscore_core.models import Job, JobStatus
from batchscore_core.store import JobStore
from tests.drift_files import SHIFTED_FEATURE, shifted_csv, unshifted_csv
from tests.integration.moto_stack import Stack
from tests.integration.pipeline.pipeline_steps import process, upload_and_ingest
from tests.integration.registry.registry_calls import call

MODEL = "breast-cancer"  # the default model, seeded with a reference


@pytest.fixture
def sent_events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every EventBridge entry the functions send, captured instead of sent."""
    sent: list[dict[str, Any]] = []

    def put_events(Entries: list[dict[str, Any]]) -> dict[str, Any]:
        sent.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"}] * len(Entries)}

    capture = type("Capture", (), {"put_events": staticmethod(put_events)})()
    monkeypatch.setattr(adapters.announcer()._events, "_client", capture)
    return sent


Score = Callable[[str, bytes], Job]


@pytest.fixture
def score(stack: Stack, store: JobStore, waiting_job: Callable[..., Job]) -> Score:
    """Uploads `body` as job `job_id`'s file and processes the queues: answers the job."""

    def upload_and_process(job_id: str, body: bytes) -> Job:
        upload_and_ingest(stack, waiting_job, body, job_id)
        process(stack)
        return store.get(job_id)

    return upload_and_process


def emf_values(stdout: str, name: str) -> list[tuple[float, dict[str, Any]]]:
    """(value, dimensions) of every EMF document that carries metric `name`."""
    found = []
    for line in stdout.splitlines():
        if not (line.startswith("{") and '"_aws"' in line):
            continue
        document = json.loads(line)
        if name not in document:
            continue
        names = document["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]
        values = document[name] if isinstance(document[name], list) else [document[name]]
        found += [(value, {d: document[d] for d in names}) for value in values]
    return found


def test_a_shifted_file_gives_a_drifted_job_its_sheet_event_metric_and_trend(
    stack: Stack,
    score: Score,
    sent_events: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a file with one feature shifted by half a standard deviation
    job_id = "d" * 32
    # When it is scored
    job = score(job_id, shifted_csv())
    # Then the job says drift, naming the feature first, as clients see it
    assert job.status is JobStatus.SUCCEEDED
    drift = job.public()["drift"]
    assert drift["status"] == "drift"
    assert drift["features"][0]["name"] == SHIFTED_FEATURE
    assert set(drift["prediction"]) == {"measure", "value", "status"}
    # and the workbook has the drift sheet
    assert job.result_key is not None
    body = stack.s3.get_object(Bucket=stack.bucket_name, Key=job.result_key)["Body"].read()
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True)["drift"]
    assert SHIFTED_FEATURE in {row[0] for row in sheet.iter_rows(values_only=True)}
    # and one Drift Detected event names it, after the Job Succeeded one
    drifted = [e for e in sent_events if e["DetailType"] == DRIFT_DETECTED]
    assert [e["DetailType"] for e in sent_events][-2:] == ["Job Succeeded", DRIFT_DETECTED]
    detail = json.loads(drifted[0]["Detail"])
    assert (detail["job_id"], detail["model_name"]) == (job_id, MODEL)
    assert detail["features"] == [SHIFTED_FEATURE]
    assert detail["drift"]["status"] == "drift"
    # and the model's metric counts a drifted job
    assert emf_values(capsys.readouterr().out, "JobsDrifted") == [
        (1.0, {"model": MODEL, "service": "batchscore"})
    ]
    # and the model's recent drift has the job
    (record,) = recent_drift(MODEL, 5)
    assert (record.job_id, record.status, record.rows) == (job_id, "drift", 1000)


def test_an_unshifted_file_is_ok_with_no_drift_event(
    score: Score, sent_events: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a file drawn from the training data's source
    # When it is scored
    job = score("e" * 32, unshifted_csv())
    # Then
    assert job.public()["drift"]["status"] == "ok"
    assert DRIFT_DETECTED not in [e["DetailType"] for e in sent_events]
    assert emf_values(capsys.readouterr().out, "JobsDrifted") == [
        (0.0, {"model": MODEL, "service": "batchscore"})
    ]
    assert [record.status for record in recent_drift(MODEL, 5)] == ["ok"]


def test_the_model_drift_route_lists_recent_jobs_newest_first_per_feature(score: Score) -> None:
    # Given an unshifted job, then a shifted one
    score("a" * 32, unshifted_csv())
    score("b" * 32, shifted_csv())
    # When the trend is read
    answer = call("GET", f"/models/{MODEL}/drift")
    # Then: newest first, no job ids or owners, the shifted feature first with both points
    assert answer.status == 200, answer.body
    body = answer.body
    assert [job["status"] for job in body["jobs"]] == ["drift", "ok"]
    assert "job_id" not in body["jobs"][0]
    first = body["features"][0]
    assert (first["name"], first["drifted"]) == (SHIFTED_FEATURE, 1)
    assert [point["status"] for point in first["points"]] == ["drift", "ok"]
    assert all(point["value"] >= 0 and point["threshold"] > 0 for point in first["points"])
    limited = call("GET", f"/models/{MODEL}/drift", query={"limit": "1"})
    assert [job["status"] for job in limited.body["jobs"]] == ["drift"]


def test_the_drift_route_of_an_unknown_model_is_404(stack: Stack, registry: Any) -> None:
    # When
    answer = call("GET", "/models/nosuchmodel/drift")
    # Then
    assert answer.status == 404
