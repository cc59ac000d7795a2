"""bench/cost.py prices recorded usage by the documented formula (docs/operations.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.cost import PRICES, FunctionSize, JobUsage, cost_lines, function_sizes

ROOT = Path(__file__).resolve().parents[3]


def test_the_template_gives_each_function_its_memory() -> None:
    sizes = function_sizes(ROOT / "template.yaml")
    assert sizes["ProcessFunction"].memory_mb == 3008
    assert sizes["StatusFunction"].memory_mb == 512  # from Globals


def test_one_job_is_priced_line_by_line() -> None:
    # Given one job: a 10 s scoring run at 2 GB, one ingest, three API calls and their requests
    usage = JobUsage(
        rows=1000,
        input_bytes=10**6,
        output_bytes=10**6,
        seconds_to_final=12.0,
        invocations=Counter({"ProcessFunction": 1, "UploadFunction": 1, "StatusFunction": 3}),
        duration_ms={"ProcessFunction": 10_000.0, "UploadFunction": 0.0, "StatusFunction": 0.0},
        calls=Counter(
            {
                ("s3", "PutObject"): 1,
                ("s3", "presigned:PostObject"): 1,
                ("s3", "GetObject"): 2,
                ("sqs", "SendMessage"): 1,
                ("dynamodb", "UpdateItem"): 4,
                ("dynamodb", "GetItem"): 3,
            }
        ),
        events=2,
    )
    sizes = {"ProcessFunction": FunctionSize(2048, 512)}

    # When
    lines = cost_lines(usage, sizes)

    # Then
    p = PRICES
    assert lines["Lambda"] == pytest.approx(
        5 * p["lambda_request"] + 10 * 2 * p["lambda_gb_second"]
    )
    assert lines["API Gateway"] == pytest.approx(3 * p["api_request"])
    assert lines["S3 requests"] == pytest.approx(2 * p["s3_put"] + 2 * p["s3_get"])
    # the notification + our send + receive and delete of the two SQS-triggered invocations
    assert lines["SQS"] == pytest.approx((1 + 1 + 2 * 2) * p["sqs_request"])
    assert lines["DynamoDB"] == pytest.approx(4 * p["dynamodb_write"] + 3 * p["dynamodb_read"])
    assert lines["EventBridge"] == pytest.approx(2 * p["eventbridge_event"])
