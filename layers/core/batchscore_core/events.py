"""Job events on EventBridge: one per state change that a subscriber may care about."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit

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
        entry = {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(event_detail(job)),
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
            job.job_id, str(failed.get("ErrorCode", "")), str(failed.get("ErrorMessage", ""))
        )
