"""The JobsCreated metric counts jobs, not requests."""

from __future__ import annotations

import json

import pytest

from tests.integration.api.api_calls import Api


def _jobs_created(stdout: str) -> list[int]:
    """The JobsCreated values of the EMF documents the handler printed."""
    counts = []
    for line in stdout.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            if "JobsCreated" in document:
                value = document["JobsCreated"]
                counts.extend(value if isinstance(value, list) else [value])
    return counts


def test_creating_a_job_counts_one(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a person
    # When they create a job
    api.create()

    # Then one job is counted
    assert _jobs_created(capsys.readouterr().out) == [1]


def test_an_idempotent_replay_counts_nothing_more(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job created with an Idempotency-Key
    api.create(headers={"Idempotency-Key": "order-7"})

    # When the request is replayed
    api.create(headers={"Idempotency-Key": "order-7"})

    # Then one job is counted in all
    assert _jobs_created(capsys.readouterr().out) == [1]
