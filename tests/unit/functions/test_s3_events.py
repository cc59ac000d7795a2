from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from batchscore_core.s3_events import S3NotificationSqsRecord, created_objects

EVENTS = Path(__file__).resolve().parents[2] / "events"


def first_record(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    record: dict[str, Any] = event["Records"][0]
    return record


def test_an_aws_object_created_record_names_the_decoded_key() -> None:
    # Given an S3 notification as AWS puts it in an SQS message
    record = S3NotificationSqsRecord.model_validate(first_record("sqs_s3_object_created.json"))

    # When its objects are read
    objects = created_objects(record.body)

    # Then the key is URL-decoded (+ is a space, %28 a parenthesis)
    assert [obj.key for obj in objects] == ["dropbox/acme/march/my scores(2).csv"]


def test_the_version_id_identifies_an_object_version_first() -> None:
    # Given an AWS record with a versionId and a sequencer
    record = S3NotificationSqsRecord.model_validate(first_record("sqs_s3_object_created.json"))

    # When its version tag is read
    (obj,) = created_objects(record.body)

    # Then the versionId wins
    assert obj.version_tag == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"


def test_the_etag_at_event_time_identifies_an_object_without_version_or_sequencer() -> None:
    # Given a record as the emulator sends it: no versionId, no sequencer, no identity fields
    raw = first_record("sqs_s3_object_created.json")
    body = json.loads(raw["body"])
    s3 = body["Records"][0]["s3"]
    s3["object"] = {"key": "dropbox/acme/a.csv", "size": 3, "eTag": "abc123"}
    del s3["bucket"]["ownerIdentity"]
    for name in ("userIdentity", "requestParameters", "responseElements"):
        del body["Records"][0][name]
    body["Records"][0]["eventTime"] = "2026-11-22T10:00:00.000Z"
    raw["body"] = json.dumps(body)

    # When it is parsed
    (obj,) = created_objects(S3NotificationSqsRecord.model_validate(raw).body)

    # Then the ETag at the event's time stands in for the version
    assert obj.version_tag == "abc123@2026-11-22T10:00:00.000Z"


def test_an_s3_test_event_holds_no_objects() -> None:
    # Given the s3:TestEvent S3 sends when notifications are configured
    record = S3NotificationSqsRecord.model_validate(first_record("sqs_s3_test_event.json"))

    # When its objects are read
    objects = created_objects(record.body)

    # Then there are none (and parsing did not fail)
    assert objects == []


def test_removal_events_start_nothing() -> None:
    # Given an ObjectRemoved record
    raw = first_record("sqs_s3_object_created.json")
    body = json.loads(raw["body"])
    body["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    raw["body"] = json.dumps(body)

    # When its objects are read
    objects = created_objects(S3NotificationSqsRecord.model_validate(raw).body)

    # Then none is created
    assert objects == []
