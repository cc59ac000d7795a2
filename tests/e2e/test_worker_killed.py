"""A process worker of the local runtime killed mid-job (SIGKILL): another attempt takes over
after the lease, and the job ends SUCCEEDED with one result and one webhook."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.e2e.e2e_support import (
    FINAL_STATES,
    ApiUser,
    feature_csv,
    poll,
    signed_in,
    upload_presigned,
)
from tests.integration.webhooks.webhook_support import Receiver, running_receiver
from tests.local_stack import SLOW_PARAMETERS, LocalStack, started_stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The lease is the process function's Timeout (capped here), and the message comes back only
# after the queue's visibility timeout: longer than the lease, as on AWS (5,400 s > 900 s).
LEASE_SECONDS = 20
VISIBILITY_SECONDS = 25
ROWS = 6_000  # at 50 rows a batch: seconds of scoring, progress at every batch
PROCESS_HANDLER = "process_handler.lambda_handler"


@pytest.fixture(scope="module")
def killable_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """One process worker, slow batches, a short lease and a visibility timeout beyond it."""
    with started_stack(
        tmp_path_factory.mktemp("killable-stack"),
        parameters=SLOW_PARAMETERS,
        extra_env={
            "BATCHSCORE_LOCAL_CONCURRENCY": "1",
            "BATCHSCORE_LOCAL_MAX_TIMEOUT_SECONDS": str(LEASE_SECONDS),
            "BATCHSCORE_LOCAL_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        },
    ) as stack:
        yield stack


@pytest.fixture
def partner(killable_stack: LocalStack) -> Iterator[Receiver]:
    """A partner endpoint that accepts every delivery (the demo user's secret)."""
    owner = jwt.decode(killable_stack.access_token(), options={"verify_signature": False})["sub"]
    ssm = killable_stack.boto3_client("ssm")
    (parameter,) = ssm.describe_parameters()["Parameters"]
    value = ssm.get_parameter(Name=parameter["Name"], WithDecryption=True)["Parameter"]["Value"]
    with running_receiver(json.loads(value)[owner].encode(), statuses=[204], owner=owner) as hook:
        yield hook


def stack_processes(stack: LocalStack) -> dict[int, int]:
    """This stack's ProcessFunction processes (their environment names the handler and this
    stack's emulator), each with its parent's pid: the workers, and the row encoders they start
    (`batchscore_model.xlsx_process`, which inherit that environment)."""
    wanted = {
        f"_HANDLER={PROCESS_HANDLER}".encode(),
        f"AWS_ENDPOINT_URL={stack.emulator_url}".encode(),
    }
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = set((entry / "environ").read_bytes().split(b"\0"))
            stat = (entry / "stat").read_text()
        except OSError:  # gone, or not ours to read
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if wanted <= environ and state != "Z":
            found[int(entry.name)] = int(parent)
    return found


def process_workers(stack: LocalStack) -> list[int]:
    """Pids of this stack's ProcessFunction workers, not of the row encoders they started."""
    found = stack_processes(stack)
    return [pid for pid, parent in found.items() if parent not in found]


def result_versions(stack: LocalStack, job_id: str) -> list[dict[str, Any]]:
    listed = stack.boto3_client("s3").list_object_versions(
        Bucket=stack.outputs["DataBucketName"], Prefix="results/"
    )
    return [v for v in listed.get("Versions", []) if f"/{job_id}/" in v["Key"]]


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_worker_killed_mid_job_is_taken_over_after_the_lease_and_succeeds_once(
    killable_stack: LocalStack, partner: Receiver
) -> None:
    # Given a long job running in the stack's one process worker, with a callback
    user: ApiUser = signed_in(killable_stack)
    created = user.request(
        "POST", "/jobs", json={"filename": "killed.csv", "callback_url": partner.url}
    )
    assert created.status_code == 201, created.text
    job_id = created.json()["job_id"]
    upload_presigned(created.json()["upload"], feature_csv(ROWS), "killed.csv")
    running = poll(
        lambda: user.job(job_id),
        lambda job: job["status"] == "PROCESSING" and (job.get("rows_done") or 0) > 0,
        what="the job scoring its first batches",
        stack=killable_stack,
    )
    (worker,) = process_workers(killable_stack)
    # 50-row blocks: from the second on, the worker's rows are spelled by its row encoder
    encoders = poll(
        lambda: [p for p, parent in stack_processes(killable_stack).items() if parent == worker],
        bool,
        what="the worker's row encoder",
        stack=killable_stack,
    )

    # When that worker is killed mid-job (no except or finally of ours runs)
    os.kill(worker, signal.SIGKILL)

    # Then a second attempt takes the job over once the lease ran out, and it SUCCEEDS
    done = poll(
        lambda: user.job(job_id),
        lambda job: job["status"] in FINAL_STATES,
        what="the job ending after its worker was killed",
        stack=killable_stack,
        timeout=180,
    )
    assert (done["status"], done["attempts"]) == ("SUCCEEDED", 2), done
    assert done["rows_done"] == ROWS
    assert running["rows_done"] < ROWS
    assert worker not in process_workers(killable_stack)  # the runtime started a fresh one
    # and its row encoder read the end of its pipe and went too
    assert not set(encoders) & set(stack_processes(killable_stack))

    # And there is one result object version, and one webhook delivery for the job
    assert len(result_versions(killable_stack, job_id)) == 1
    delivered = poll(
        lambda: user.job(job_id),
        lambda job: bool((job.get("webhook") or {}).get("delivered")),
        what="the webhook delivered",
        stack=killable_stack,
    )
    assert delivered["webhook"]["attempts"] == 1
    assert [json.loads(r.body)["job_id"] for r in partner.received] == [job_id]
