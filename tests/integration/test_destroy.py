"""`make destroy`: the versioned buckets emptied (every version and delete marker), then the stack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.build.destroy import destroy, empty_bucket
from infra.build.stage import Target
from tests.conftest import REGION

STACK = "batchscore-test"
TEMPLATE = {
    "Resources": {
        "DataBucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
        },
        "SiteBucket": {"Type": "AWS::S3::Bucket"},
    },
    "Outputs": {
        "DataBucketName": {"Value": {"Ref": "DataBucket"}},
        "SiteBucketName": {"Value": {"Ref": "SiteBucket"}},
    },
}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def deployed() -> Target:
    cloudformation = client("cloudformation")
    cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(TEMPLATE))
    (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    return Target("dev", STACK, REGION, outputs, client)


def fill(bucket: str) -> None:
    s3 = client("s3")
    # as the template says (moto's CloudFormation does not apply VersioningConfiguration)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("uploads/u/j/input.csv", "results/u/j/a.xlsx"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
        s3.put_object(Bucket=bucket, Key=key, Body=b"2")
    s3.delete_object(Bucket=bucket, Key="uploads/u/j/input.csv")  # a delete marker


def test_empty_bucket_removes_every_version_and_delete_marker(aws: None) -> None:
    # Given a versioned bucket with two versions of two keys and a delete marker
    stack = deployed()
    bucket = stack.outputs["DataBucketName"]
    fill(bucket)

    # When
    deleted = empty_bucket(client("s3"), bucket)

    # Then nothing is left, not even old versions
    assert deleted == 5
    listed = client("s3").list_object_versions(Bucket=bucket)
    assert not listed.get("Versions")
    assert not listed.get("DeleteMarkers")


def test_destroy_empties_both_buckets_and_deletes_the_stack(aws: None) -> None:
    # Given a deployed stack whose buckets hold data
    stack = deployed()
    fill(stack.outputs["DataBucketName"])
    client("s3").put_object(Bucket=stack.outputs["SiteBucketName"], Key="index.html", Body=b"<p>")
    said: list[str] = []

    # When
    destroy(stack, said.append)

    # Then the buckets and the stack are gone
    names = {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    assert not names & {stack.outputs["DataBucketName"], stack.outputs["SiteBucketName"]}
    statuses = [s["StackStatus"] for s in client("cloudformation").list_stacks()["StackSummaries"]]
    assert statuses == ["DELETE_COMPLETE"]
    assert said[-1] == f"{STACK}: deleted"
