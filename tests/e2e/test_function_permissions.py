"""Least privilege, proven on the local stack: every AWS call each function makes while a job goes
through every route is allowed by exactly the policies template.yaml gives that function (SAM
policy templates expanded), and taking away any one of the permissions used is caught.

The emulator enforces no IAM, so the local runtime records each function's boto3 calls
(BATCHSCORE_LOCAL_RECORD_AWS_CALLS, set by tests/local_stack.py) and infra/build/least_privilege.py
evaluates them against the function's expanded policy. The local_stack fixture checks the whole
session's calls again at its end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.build.least_privilege import (
    Account,
    Permission,
    action_matches,
    allows,
    denials,
    function_policies,
    needed,
)
from infra.local.aws_calls import PHYSICAL_IDS_FILE, read_calls
from tests.e2e.e2e_support import (
    feature_csv,
    feature_frame,
    signed_in,
    wait_for_object,
    wait_until_final,
)

pytestmark = pytest.mark.e2e

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@pytest.fixture(scope="module")
def every_route(local_stack: Any) -> dict[str, list[dict[str, Any]]]:
    """A job through every route, a rejected one retried, a drop-folder job; the calls recorded."""
    user = signed_in(local_stack)
    # Given: one job scored, downloaded, listed, archived and deleted
    job_id = user.submit(feature_csv(5), "scores.csv")
    assert wait_until_final(user, job_id, local_stack)["status"] == "SUCCEEDED"
    assert user.result(job_id)[:2] == b"PK"
    user.all_jobs()
    assert user.request("POST", f"/jobs/{job_id}/archive", json={"archived": True}).ok
    assert user.request("DELETE", f"/jobs/{job_id}").status_code in (200, 204)
    # a rejected job, retried
    bad = user.submit(b"not,the,schema\n1,2,3\n", "bad.csv")
    assert wait_until_final(user, bad, local_stack)["status"] == "REJECTED"
    assert user.request("POST", f"/jobs/{bad}/retry").status_code in (200, 202)
    wait_until_final(user, bad, local_stack)
    # the synchronous routes
    user.get_json("/model")
    rows = json.loads(feature_frame().head(2).to_json(orient="records"))
    assert user.request("POST", "/predict", json={"rows": rows}).status_code == 200
    # the drop folder, good and bad input
    s3 = local_stack.boto3_client("s3")
    bucket = local_stack.outputs["DataBucketName"]
    s3.put_object(Bucket=bucket, Key="dropbox/acme/least.csv", Body=feature_csv(3))
    s3.put_object(Bucket=bucket, Key="dropbox/acme/least-bad.csv", Body=b"a,b\n1,2\n")
    wait_for_object(local_stack, "outbox/acme/least.xlsx")
    wait_for_object(local_stack, "outbox/acme/least-bad.errors.json")
    return read_calls(local_stack.aws_calls_dir)


@pytest.fixture(scope="module")
def physical(local_stack: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (local_stack.aws_calls_dir / PHYSICAL_IDS_FILE).read_text()
    )
    return document


@pytest.fixture(scope="module")
def policies(physical: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return function_policies(TEMPLATE, physical)


def account(physical: dict[str, Any]) -> Account:
    return Account(physical["region"], physical["account_id"])


def test_every_call_of_every_function_is_allowed_by_its_policies(
    every_route: dict[str, list[dict[str, Any]]], policies: Any, physical: dict[str, Any]
) -> None:
    # Given the calls recorded while every route ran (and whatever ran before in this session)
    # When each is checked against its function's expanded policy
    denied = denials(every_route, policies, account(physical))

    # Then none is refused, and the functions that touch AWS were all seen
    assert not denied, "\n".join(map(str, denied))
    assert {"StatusFunction", "UploadFunction", "ProcessFunction"} <= set(every_route)


def test_the_delete_route_lists_object_versions_and_is_allowed_to(
    every_route: dict[str, list[dict[str, Any]]], policies: Any, physical: dict[str, Any]
) -> None:
    # Given DELETE /jobs/{id} ran: it lists every version of the job's objects
    bucket = physical["resources"]["DataBucket"]["ref"]
    listing = Permission("s3:ListBucketVersions", f"arn:aws:s3:::{bucket}")

    # Then StatusFunction needed s3:ListBucketVersions on the bucket, and has it
    assert listing in needed(every_route, account(physical))["StatusFunction"]
    assert allows(policies["StatusFunction"], listing)


def without(statements: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """The statements with `action` taken out of every Allow that covers it (wildcards too)."""
    kept = []
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        remaining = [a for a in actions if not action_matches(a, action)]
        if statement.get("Effect") == "Allow" and len(remaining) != len(actions):
            if remaining:
                kept.append({**statement, "Action": remaining})
            continue
        kept.append(statement)
    return kept


def test_taking_away_any_permission_used_is_refused(
    every_route: dict[str, list[dict[str, Any]]], policies: Any, physical: dict[str, Any]
) -> None:
    # Given each action some function used, taken out of that function's policies in turn
    used = needed(every_route, account(physical))
    missed = []
    for function, permissions in sorted(used.items()):
        for action in sorted({p.action for p in permissions}):
            weakened = {**policies, function: without(policies[function], action)}
            # When its calls are checked again
            if not denials({function: every_route[function]}, weakened, account(physical)):
                missed.append(f"{function} without {action}")

    # Then every removal is caught
    assert not missed
    assert sum(len(p) for p in used.values()) > 10


def test_the_recorded_download_is_authorized_as_the_status_function(
    every_route: dict[str, list[dict[str, Any]]],
) -> None:
    # Given GET /jobs/{id}/result signs a download: the browser's GET runs with the function's role
    presigned = {call["operation"] for call in every_route["StatusFunction"]}

    # Then the signing was recorded, upload and download alike
    assert {"presigned:PostObject", "presigned:GetObject"} <= presigned
    assert requests  # the download itself was made with requests in the fixture
