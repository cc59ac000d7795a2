"""`make destroy STAGE=dev|prod [YES=1]`: empty the stack's buckets, then delete the stack.

CloudFormation cannot delete a bucket that holds objects, and the data bucket is versioned: every
version and delete marker goes first, in both buckets, then the stack and its wait. What stays:
the SAM CLI's artifact bucket (shared by all stacks of the account and region).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from infra.build.stage import Target
from infra.build.stage_stack import stage_stack

BUCKET_OUTPUTS = ("DataBucketName", "SiteBucketName")
_DELETE_BATCH = 1000  # DeleteObjects' limit


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker of `bucket`; answers how many."""
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), _DELETE_BATCH):
            batch = doomed[start : start + _DELETE_BATCH]
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
            if answer.get("Errors"):
                raise RuntimeError(f"s3://{bucket}: could not delete {answer['Errors'][:3]}")
            deleted += len(batch)
    return deleted


def destroy(stack: Target, say: Any = print) -> None:
    s3 = stack.client("s3")
    for output in BUCKET_OUTPUTS:
        bucket = stack.outputs.get(output)
        if bucket:
            say(f"s3://{bucket}: {empty_bucket(s3, str(bucket))} versions deleted")
    cloudformation = stack.client("cloudformation")
    cloudformation.delete_stack(StackName=stack.stack_name)
    say(f"{stack.stack_name}: deleting (CloudFormation), waiting")
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack.stack_name, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
    )
    say(f"{stack.stack_name}: deleted")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="dev or prod (samconfig.toml)")
    parser.add_argument("--yes", action="store_true", help="do not ask for the stack's name")
    args = parser.parse_args(argv)
    stack = stage_stack(
        args.stage, "make destroy", "the local stack goes away when `make run` stops"
    )
    if stack is None:
        return 1
    if not args.yes:
        answer = input(
            f"This deletes {stack.stack_name} in {stack.region} and all its data. "
            "Type the stack's name to go on: "
        )
        if answer.strip() != stack.stack_name:
            print("make destroy: not confirmed, nothing deleted", file=sys.stderr)
            return 1
    destroy(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
