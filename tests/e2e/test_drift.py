"""Drift through the local runtime over HTTP: a shifted file shows drift on the job, in the
workbook's `drift` sheet and as a `Drift Detected` event on the default bus (heard by a rule
with an SQS target, as a subscriber would); an unshifted file shows none of it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.drift_files import SHIFTED_FEATURE, shifted_csv, unshifted_csv
from tests.e2e.e2e_support import ApiUser, poll, read_sheets, wait_until_final

pytestmark = pytest.mark.e2e

DRIFT_DETECTED = "Drift Detected"


@pytest.fixture(scope="module")
def drift_events(local_stack) -> Any:
    """An SQS queue that an EventBridge rule fills with every `Drift Detected` event."""
    sqs, events = local_stack.boto3_client("sqs"), local_stack.boto3_client("events")
    name = f"drift-events-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {"source": ["batchscore"], "detail-type": [DRIFT_DETECTED]}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), EventBusName="default")
    events.put_targets(Rule=name, EventBusName="default", Targets=[{"Id": "q", "Arn": arn}])
    heard: list[dict[str, Any]] = []

    def received() -> list[dict[str, Any]]:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            heard.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return heard

    yield received
    events.remove_targets(Rule=name, EventBusName="default", Ids=["q"])
    events.delete_rule(Name=name, EventBusName="default")
    sqs.delete_queue(QueueUrl=url)


def scored(user: ApiUser, stack: Any, content: bytes, filename: str) -> dict[str, Any]:
    job_id = user.submit(content, filename)
    job = wait_until_final(user, job_id, stack)
    assert job["status"] == "SUCCEEDED", job
    return job


def test_a_shifted_file_shows_drift_on_the_job_the_workbook_and_the_event(
    local_stack, user, drift_events
) -> None:
    # Given a file with half a standard deviation added to one feature
    # When it is scored
    job = scored(user, local_stack, shifted_csv(), "shifted.csv")
    # Then the job names the feature
    assert job["drift"]["status"] == "drift"
    assert job["drift"]["features"][0]["name"] == SHIFTED_FEATURE
    assert job["drift"]["features"][0]["value"] >= job["drift"]["features"][0]["threshold"]
    # and the workbook's drift sheet lists it as drifted
    sheet = read_sheets(user.result(job["job_id"]))["drift"]
    assert sheet[1][:2] == ("(all)", "drift")
    assert {row[1] for row in sheet if row[0] == SHIFTED_FEATURE} == {"drift"}
    # and a Drift Detected event for the job arrives
    heard = poll(
        drift_events,
        lambda events: any(e["detail"]["job_id"] == job["job_id"] for e in events),
        what="the Drift Detected event",
        stack=local_stack,
    )
    event = next(e for e in heard if e["detail"]["job_id"] == job["job_id"])
    assert event["detail-type"] == DRIFT_DETECTED
    assert event["detail"]["features"] == [SHIFTED_FEATURE]
    # and the model's trend has it
    trend = user.get_json(f"/models/{job['model_name']}/drift")
    assert trend["jobs"][0]["status"] == "drift"


def test_an_unshifted_file_shows_no_drift(local_stack, user, drift_events) -> None:
    # Given a file drawn from the training data's source
    # When it is scored
    job = scored(user, local_stack, unshifted_csv(), "unshifted.csv")
    # Then: ok on the job and in the sheet
    assert job["drift"]["status"] == "ok"
    sheet = read_sheets(user.result(job["job_id"]))["drift"]
    assert sheet[1][:2] == ("(all)", "ok")
    # and no event for it, once the events of a later drifted job have arrived (they are
    # published in job order by one function, so the unshifted job's would have come first)
    marker = scored(user, local_stack, shifted_csv(seed=21), "marker.csv")
    heard = poll(
        drift_events,
        lambda events: any(e["detail"]["job_id"] == marker["job_id"] for e in events),
        what="the marker job's Drift Detected event",
        stack=local_stack,
    )
    assert job["job_id"] not in {e["detail"]["job_id"] for e in heard}
