"""EventBridge's put_events answers 200 with FailedEntryCount when it drops an entry: never silent."""

from __future__ import annotations

from typing import Any

import pytest

from batchscore_core.events import PUBLISH_ATTEMPTS, EventNotPublished, JobEvents
from batchscore_core.models import Job
from tests.jobs_support import finished_api_job


class FakeEvents:
    """put_events that fails the first `failures` calls the way EventBridge does (HTTP 200)."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        if len(self.calls) <= self.failures:
            return {
                "FailedEntryCount": 1,
                "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}],
            }
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}


def succeeded_job() -> Job:
    return finished_api_job("0" * 32, "u", finished=False)


def test_a_dropped_entry_is_sent_again() -> None:
    # Given EventBridge drops the first attempt
    client = FakeEvents(failures=1)

    # When the job's event is published
    JobEvents("default", client, backoff_seconds=0).publish(succeeded_job())

    # Then it was sent a second time, the same entry
    assert len(client.calls) == 2
    assert client.calls[0] == client.calls[1]


def test_an_entry_dropped_every_time_raises() -> None:
    # Given EventBridge drops every attempt
    client = FakeEvents(failures=PUBLISH_ATTEMPTS)

    # When / Then: the caller hears of it (the Announcer logs it; a metric counts it)
    with pytest.raises(EventNotPublished) as raised:
        JobEvents("default", client, backoff_seconds=0).publish(succeeded_job())
    assert raised.value.code == "ThrottlingException"
    assert len(client.calls) == PUBLISH_ATTEMPTS
