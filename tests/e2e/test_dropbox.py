"""The drop folder as a partner system uses it: the real AWS CLI against the emulator's S3."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.e2e_support import (
    AwsCli,
    aws_cli,
    feature_csv,
    feature_frame,
    read_sheets,
    wait_for_object,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def aws(local_stack) -> AwsCli:
    return aws_cli(local_stack)


@pytest.fixture
def tenant() -> str:
    """A tenant of its own per test, so that outbox keys never collide."""
    return f"partner-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def bucket(local_stack) -> str:
    name: str = local_stack.outputs["DataBucketName"]
    return name


def drop(aws: AwsCli, tmp_path: Path, bucket: str, tenant: str, name: str, content: bytes) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}" / name
    path.parent.mkdir()
    path.write_bytes(content)
    aws("s3", "cp", str(path), f"s3://{bucket}/dropbox/{tenant}/")


def sheet_rows(sheets: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    return next(iter(sheets.values()))


def summary_job_id(sheets: dict[str, list[tuple[Any, ...]]]) -> Any:
    return dict((row[0], row[1]) for row in sheets["summary"] if len(row) >= 2).get("job_id")


def test_a_dropped_csv_yields_the_outbox_workbook(local_stack, aws, bucket, tenant, tmp_path):
    # Given a CSV dropped with `aws s3 cp`
    drop(aws, tmp_path, bucket, tenant, "scans.csv", feature_csv(7))
    wait_for_object(local_stack, f"outbox/{tenant}/scans.xlsx")

    # When
    out = tmp_path / "out.xlsx"
    aws("s3", "cp", f"s3://{bucket}/outbox/{tenant}/scans.xlsx", str(out))

    # Then
    rows = sheet_rows(read_sheets(out.read_bytes()))
    header, body = rows[0], rows[1:]
    columns = list(feature_frame().columns)
    assert list(header[: len(columns)]) == columns
    assert len(body) == 7
    assert all(row[header.index("prediction")] is not None for row in body)


def test_the_same_name_dropped_twice_makes_two_jobs_and_keeps_the_earlier_result(
    local_stack, aws, bucket, tenant, tmp_path
):
    # Given a first drop, scored
    key = f"outbox/{tenant}/daily.xlsx"
    drop(aws, tmp_path, bucket, tenant, "daily.csv", feature_csv(3))
    wait_for_object(local_stack, key)

    # When the same name is dropped again with other content
    drop(aws, tmp_path, bucket, tenant, "daily.csv", feature_csv(5, start=100))
    versions = wait_for_object(local_stack, key, at_least=2)

    # Then the outbox has both results, the newer one on top, from two different jobs
    s3 = local_stack.boto3_client("s3")
    newest_first = sorted(versions, key=lambda version: not version["IsLatest"])
    books = [
        read_sheets(s3.get_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])["Body"].read())
        for v in newest_first
    ]
    assert [len(sheet_rows(book)) - 1 for book in books] == [5, 3]
    job_ids = [summary_job_id(book) for book in books]
    assert None not in job_ids, job_ids
    assert len(set(job_ids)) == 2, job_ids


def test_a_drop_missing_columns_yields_an_errors_report_naming_them(
    local_stack, aws, bucket, tenant, tmp_path
):
    # Given a CSV without two required columns
    missing = ["mean radius", "worst symmetry"]
    content = feature_frame().drop(columns=missing).head(4).to_csv(index=False).encode()

    # When
    drop(aws, tmp_path, bucket, tenant, "partial.csv", content)
    wait_for_object(local_stack, f"outbox/{tenant}/partial.errors.json")

    # Then
    out = tmp_path / "partial.errors.json"
    aws("s3", "cp", f"s3://{bucket}/outbox/{tenant}/partial.errors.json", str(out))
    report = json.loads(out.read_text())
    assert report["error"]["code"] == "missing_columns", report
    named = {detail.get("column") for detail in report["error"]["details"]}
    assert set(missing) <= named, report
