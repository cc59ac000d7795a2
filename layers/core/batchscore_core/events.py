"""Job events on EventBridge: one per state change that a subscriber may care about."""

from __future__ import annotations

import json
from typing import Any

import boto3

from batchscore_core.models import Job, JobStatus

SOURCE = "batchscore"
DETAIL_TYPES = {
    JobStatus.QUEUED: "Job Queued",
    JobStatus.SUCCEEDED: "Job Succeeded",
    JobStatus.FAILED: "Job Failed",
    JobStatus.REJECTED: "Job Rejected",
}


def event_detail(job: Job) -> dict[str, Any]:
    """The documented detail schema: the public job plus its owner."""
    return {**job.public(), "owner": job.owner}


class JobEvents:
    def __init__(self, bus_name: str, client: Any | None = None) -> None:
        self._bus = bus_name
        self._client: Any = client or boto3.client("events")

    def publish(self, job: Job) -> None:
        detail_type = DETAIL_TYPES.get(job.status)
        if detail_type is None:
            return
        self._client.put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(event_detail(job)),
                    "EventBusName": self._bus,
                    "Resources": [],
                }
            ]
        )
