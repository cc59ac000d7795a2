"""Job events on EventBridge: one per state change that a subscriber may care about."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit

from batchscore_core.drift_models import DRIFT_DETECTED
from batchscore_core.models import Job, JobStatus
from batchscore_core.observability import metrics

SOURCE = "batchscore"
PUBLISH_ATTEMPTS = 3
DETAIL_TYPES = {
    JobStatus.QUEUED: "Job Queued",
    JobStatus.SUCCEEDED: "Job Succeeded",
    JobStatus.FAILED: "Job Failed",
    JobStatus.REJECTED: "Job Rejected",
}


def event_detail(job: Job) -> dict[str, Any]:
    """The documented detail schema: the public job plus its owner."""
    return {**job.public(), "owner": job.owner}


def drift_event_detail(job: Job) -> dict[str, Any]:
    """Who, which model, the drifted features (most severe first) and the job's drift object."""
    drift = job.drift.model_dump(mode="json") if job.drift is not None else None
    return {
        "job_id": job.job_id,
        "owner": job.owner,
        "filename": job.filename,
        "model_name": job.model_name,
        "model_version": job.model_version,
        "rows": job.rows_done,
        "features": job.drift.drifted if job.drift is not None else [],
        "drift": drift,
    }


class EventNotPublished(RuntimeError):
    """EventBridge kept refusing the job's event (`FailedEntryCount`) after every attempt."""

    def __init__(self, job_id: str, code: str, message: str) -> None:
        super().__init__(f"event for job {job_id} not published: {code} {message}".strip())
        self.job_id = job_id
        self.code = code


class JobEvents:
    def __init__(
        self, bus_name: str, client: Any | None = None, backoff_seconds: float = 0.2
    ) -> None:
        self._bus = bus_name
        self._client: Any = client or boto3.client("events")
        self._backoff_seconds = backoff_seconds

    def publish(self, job: Job) -> None:
        detail_type = DETAIL_TYPES.get(job.status)
        if detail_type is None:
            return
        self._send(job.job_id, detail_type, event_detail(job))

    def publish_drift(self, job: Job) -> None:
        """`Drift Detected` for a job whose drift status is `drift` (docs/drift.md)."""
        self._send(job.job_id, DRIFT_DETECTED, drift_event_detail(job))

    def _send(self, job_id: str, detail_type: str, detail: dict[str, Any]) -> None:
        entry = {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "EventBusName": self._bus,
            "Resources": [],
        }
        # put_events answers 200 even when it dropped the entry: only FailedEntryCount says so.
        # Throttling and internal failures pass, so the entry is sent again before giving up.
        for attempt in range(1, PUBLISH_ATTEMPTS + 1):
            answer = self._client.put_events(Entries=[entry])
            if not answer.get("FailedEntryCount", 0):
                return
            failed = (answer.get("Entries") or [{}])[0]
            if attempt < PUBLISH_ATTEMPTS:
                time.sleep(self._backoff_seconds * attempt)
        metrics.add_metric(name="EventsNotPublished", unit=MetricUnit.Count, value=1)
        raise EventNotPublished(
            job_id, str(failed.get("ErrorCode", "")), str(failed.get("ErrorMessage", ""))
        )
