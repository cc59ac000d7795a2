"""Which errors end a job at once and which are retried, and how soon."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from process_faults import Fault, backoff_seconds, classify

from infra.build.template_source import load_template

TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (client_error("SlowDown", 503), Fault.TRANSIENT),
        (client_error("ProvisionedThroughputExceededException", 400), Fault.TRANSIENT),
        (client_error("InternalError", 500), Fault.TRANSIENT),
        (EndpointConnectionError(endpoint_url="https://s3"), Fault.TRANSIENT),
        (ReadTimeoutError(endpoint_url="https://s3"), Fault.TRANSIENT),
        (ConnectionResetError(), Fault.TRANSIENT),
        (client_error("AccessDenied", 403), Fault.BUG),
        (csv.Error("new-line character seen in unquoted field"), Fault.BAD_INPUT),
        (OverflowError("int too large"), Fault.BAD_INPUT),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), Fault.BAD_INPUT),
        (KeyError("prediction"), Fault.BUG),
        (RuntimeError("disk full"), Fault.BUG),
    ],
)
def test_each_error_is_classified(error: Exception, fault: Fault) -> None:
    # Given an error raised during an attempt
    # When it is classified
    # Then it is retried only if waiting can cure it
    assert classify(error) is fault


def test_the_backoff_doubles_from_ten_seconds_up_to_a_cap() -> None:
    # Given / When / Then
    assert [backoff_seconds(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]


def test_a_job_handed_back_every_time_reaches_the_dlq_within_minutes() -> None:
    # Given the jobs queue's maxReceiveCount from the template
    queue = load_template(TEMPLATE).resources("AWS::SQS::Queue")["JobsQueue"]
    receives = int(queue["Properties"]["RedrivePolicy"]["maxReceiveCount"])

    # When every receive but the last hands the job back
    waited = sum(backoff_seconds(n) for n in range(1, receives))

    # Then the waits between attempts add up to minutes, not the 5,400 s visibility timeout
    assert waited <= 5 * 60
