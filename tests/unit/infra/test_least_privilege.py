"""infra/build/least_privilege.py: calls -> IAM permissions, IAM's verdict, and template.yaml's
policies for the calls that the issue found refused or too widely allowed on AWS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.build.least_privilege import (
    Account,
    Permission,
    allows,
    denials,
    function_policies,
    required_permissions,
)
from infra.build.template_source import load_template
from tests.unit.infra.made_up_attributes import MadeUpAttributes
from tests.unit.infra.template_copies import TEMPLATE, broken_copy

ACCOUNT = Account("us-east-1", "123456789012")
BUCKET = "stack-data"


class Attributes(MadeUpAttributes):
    """Any !GetAtt of a resource answers `<logical id>-<attribute>`; an `Arn`, a queue's ARN
    (the only ARNs the functions' policies take from !GetAtt)."""

    def __getitem__(self, attribute: str) -> str:
        name = self.logical_id.lower()
        if attribute == "Arn":
            return f"arn:aws:sqs:{ACCOUNT.region}:{ACCOUNT.account_id}:{name}-queuename"
        return f"{name}-{attribute.lower()}"


def physical_ids(template: Path) -> dict[str, Any]:
    resources = load_template(template).body["Resources"]
    ids = {name: {"ref": name.lower(), "attributes": Attributes(name)} for name in resources}
    ids["DataBucket"]["ref"] = BUCKET
    return {
        "region": ACCOUNT.region,
        "account_id": ACCOUNT.account_id,
        "stack_name": "stack",
        "parameters": {},
        "resources": ids,
    }


def call(service: str, operation: str, **params: Any) -> dict[str, Any]:
    return {"service": service, "operation": operation, "region": ACCOUNT.region, "params": params}


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        (call("s3", "GetObject", Bucket="b", Key="k", VersionId="v"), ["s3:GetObjectVersion"]),
        (call("s3", "HeadObject", Bucket="b", Key="k"), ["s3:GetObject"]),
        (call("s3", "ListObjectVersions", Bucket="b", Prefix="p/"), ["s3:ListBucketVersions"]),
        (call("s3", "presigned:PostObject", Bucket="b", Key="k"), ["s3:PutObject"]),
        (call("s3", "CreateMultipartUpload", Bucket="b", Key="k"), ["s3:PutObject"]),
        (
            call("s3", "DeleteObjects", Bucket="b", Objects=[{"Key": "a", "VersionId": "1"}]),
            ["s3:DeleteObjectVersion"],
        ),
        (call("sqs", "SendMessageBatch", QueueUrl="http://h/123456789012/q"), ["sqs:SendMessage"]),
        (
            call(
                "dynamodb",
                "TransactWriteItems",
                TransactItems=[{"ConditionCheck": {"TableName": "t"}}],
            ),
            ["dynamodb:ConditionCheckItem"],
        ),
    ],
)
def test_a_call_needs_the_action_iam_checks_for_it(
    recorded: dict[str, Any], expected: list[str]
) -> None:
    # When / Then
    assert [p.action for p in required_permissions(recorded, ACCOUNT)] == expected


def test_an_sqs_call_needs_its_queue_arn() -> None:
    # Given a queue URL as the emulator or AWS gives it
    recorded = call("sqs", "SendMessage", QueueUrl="http://127.0.0.1:5/123456789012/jobs")

    # Then the resource is the queue's ARN
    assert required_permissions(recorded, ACCOUNT) == [
        Permission("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")
    ]


def test_an_explicit_deny_wins_and_wildcards_match() -> None:
    statements = [
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret/*"},
    ]
    assert allows(statements, Permission("s3:GetObjectVersion", "arn:aws:s3:::b/x"))
    assert not allows(statements, Permission("s3:GetObject", "arn:aws:s3:::b/secret/x"))
    assert not allows(statements, Permission("s3:PutObject", "arn:aws:s3:::b/x"))


def status_function(template: Path) -> list[dict[str, Any]]:
    return function_policies(template, physical_ids(template))["StatusFunction"]


def test_delete_job_may_list_object_versions() -> None:
    # Given DELETE /jobs/{id}'s listing of the job's object versions
    listing = call("s3", "ListObjectVersions", Bucket=BUCKET, Prefix="uploads/u/j/")

    # Then StatusFunction's policy allows it, and a template without the permission does not
    assert not denials(
        {"StatusFunction": [listing]}, {"StatusFunction": status_function(TEMPLATE)}, ACCOUNT
    )


def test_without_list_bucket_versions_delete_job_is_refused(tmp_path: Path) -> None:
    # Given a template whose StatusFunction lacks s3:ListBucketVersions
    broken = broken_copy(
        tmp_path, "Action: [s3:ListBucket, s3:ListBucketVersions]", "Action: [s3:ListBucket]"
    )
    listing = call("s3", "ListObjectVersions", Bucket=BUCKET, Prefix="uploads/u/j/")

    # When / Then
    refused = denials(
        {"StatusFunction": [listing]}, {"StatusFunction": status_function(broken)}, ACCOUNT
    )
    assert [d.permission.action for d in refused] == ["s3:ListBucketVersions"]


@pytest.mark.parametrize(
    "permission",
    [
        Permission("s3:PutObject", f"arn:aws:s3:::{BUCKET}/dropbox/acme/a.csv"),
        Permission("s3:PutLifecycleConfiguration", f"arn:aws:s3:::{BUCKET}"),
        Permission("s3:PutObject", f"arn:aws:s3:::{BUCKET}/results/u/j/a.xlsx"),
    ],
)
def test_the_status_function_cannot_start_ingests_or_change_the_bucket(
    permission: Permission,
) -> None:
    # Then a write under dropbox/ (which starts an ingest) or to the bucket's configuration fails
    assert not allows(status_function(TEMPLATE), permission)


def test_a_statement_naming_what_the_local_stack_lacks_allows_nothing(tmp_path: Path) -> None:
    # Given physical ids without JobsQueue's attributes (a resource the runtime did not create)
    ids = physical_ids(TEMPLATE)
    ids["resources"]["JobsQueue"]["attributes"] = {}

    # When StatusFunction's policies are read
    statements = function_policies(TEMPLATE, ids)["StatusFunction"]

    # Then the rest still resolves, and the unresolved statement matches no resource
    send = Permission("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobsqueue-queuename")
    assert not allows(statements, send)
    assert allows(statements, Permission("s3:ListBucketVersions", f"arn:aws:s3:::{BUCKET}"))


@pytest.mark.parametrize(
    ("function", "recorded"),
    [
        # a transient failure: the job message comes back soon (process_handler, JobQueue.retry_in)
        (
            "ProcessFunction",
            call(
                "sqs",
                "ChangeMessageVisibility",
                QueueUrl="http://h/123456789012/jobsqueue-queuename",
            ),
        ),
        # a result written for a job that moved on is discarded
        (
            "ProcessFunction",
            call("s3", "DeleteObject", Bucket=BUCKET, Key="results/u/j/a.xlsx", VersionId="v"),
        ),
    ],
)
def test_calls_made_only_on_fault_paths_are_allowed(
    function: str, recorded: dict[str, Any]
) -> None:
    # Given a call the end-to-end suite rarely makes
    policies = function_policies(TEMPLATE, physical_ids(TEMPLATE))

    # Then the function's policies allow it
    assert not denials({function: [recorded]}, policies, ACCOUNT)
