"""Signed webhooks end to end: `batchscore submit --callback-url` against the local stack.

The local runtime sets the template parameter AllowLoopbackCallbacks=true and creates the
per-owner secrets parameter in the emulator (the demo user has one).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from sklearn.datasets import load_breast_cancer

from tests.e2e.cli_support import Cli, logged_in_cli
from tests.integration.webhooks.webhook_support import Receiver, running_receiver

pytestmark = pytest.mark.e2e

FIRST_RETRY_SECONDS = 10


def demo_owner_and_secret(stack) -> tuple[str, bytes]:
    """The demo user's `sub` and its secret, as the operator would hand it out."""
    owner = jwt.decode(stack.access_token(), options={"verify_signature": False})["sub"]
    ssm = stack.boto3_client("ssm")
    (parameter,) = ssm.describe_parameters()["Parameters"]
    value = ssm.get_parameter(Name=parameter["Name"], WithDecryption=True)["Parameter"]["Value"]
    return owner, json.loads(value)[owner].encode()


@pytest.fixture
def cli(local_stack, tmp_path_factory) -> Cli:
    return logged_in_cli(local_stack, tmp_path_factory.mktemp("webhook-cli-config"))


@pytest.fixture
def partner(local_stack) -> Iterator[Receiver]:
    """A partner endpoint that fails the first delivery, then accepts."""
    owner, secret = demo_owner_and_secret(local_stack)
    with running_receiver(secret, statuses=[500, 204], owner=owner) as receiver:
        yield receiver


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "hooked.csv"
    load_breast_cancer(as_frame=True).frame.drop(columns=["target"]).head(5).to_csv(
        path, index=False
    )
    return path


def wait_for_delivery(cli: Cli, job_id: str, within_seconds: float) -> dict:
    deadline = time.monotonic() + within_seconds
    while True:
        job = cli.json("status", job_id)
        if (job.get("webhook") or {}).get("delivered"):
            return job
        assert time.monotonic() < deadline, f"webhook not delivered: {job.get('webhook')}"
        time.sleep(1)


@pytest.mark.slow
def test_a_finished_job_is_posted_signed_and_retried_until_delivered(cli, partner, small_csv):
    # Given a job submitted with the partner's callback URL
    done = cli("submit", str(small_csv), "--wait", "--json", "--callback-url", partner.url)
    assert done.returncode == 0, done.stderr
    job_id = json.loads(done.stdout)["job_id"]

    # When the first delivery fails and its retry comes after the backoff
    job = wait_for_delivery(cli, job_id, within_seconds=FIRST_RETRY_SECONDS + 50)

    # Then
    assert (job["webhook"]["attempts"], job["webhook"]["last_status"]) == (2, 204)
    assert [r.verified for r in partner.received] == [True, True]
    first, second = partner.received
    assert first.headers["X-Batchscore-Delivery"] == second.headers["X-Batchscore-Delivery"]
    assert second.headers["X-Batchscore-Event"] == "Job Succeeded"
    assert json.loads(second.body)["job_id"] == job_id
