from __future__ import annotations

import json

from batchscore_core.models import JobStatus
from batchscore_core.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    delivery_id,
    event_name,
    payload,
    post,
    sign,
    signed_headers,
)


def test_payload_is_the_public_job_json(finished_job):
    # Given a stored job

    # When
    body = json.loads(payload(finished_job))

    # Then
    assert body == json.loads(json.dumps(finished_job.public()))


def test_payload_keeps_storage_details_and_the_secret_id_inside(finished_job):
    # Given a job with storage keys and a webhook secret id

    # When
    body = json.loads(payload(finished_job))

    # Then
    assert "input_key" not in body
    assert "owner" not in body
    assert "secret_id" not in body["webhook"]


def test_event_name_matches_the_eventbridge_detail_type(finished_job):
    # Given
    failed = finished_job.model_copy(update={"status": JobStatus.FAILED})

    # When
    names = (event_name(finished_job), event_name(failed))

    # Then
    assert names == ("Job Succeeded", "Job Failed")


def test_delivery_id_is_stable_across_retries_of_one_notification(finished_job):
    # Given the same job read twice, its webhook outcome changed in between
    later = finished_job.model_copy(update={"updated_at": "2026-11-22T05:00:00.000Z"})

    # When / Then
    assert delivery_id(finished_job) == delivery_id(later)


def test_delivery_id_changes_when_a_retried_job_ends_again(finished_job):
    # Given the job retried and finished a second time
    again = finished_job.model_copy(update={"finished_at": "2026-11-22T06:00:00.000Z"})

    # When / Then
    assert delivery_id(finished_job) != delivery_id(again)


def test_signed_headers_carry_signature_timestamp_event_and_delivery():
    # Given
    body = b"{}"

    # When
    headers = signed_headers(
        b"s", body, owner="o1", event="Job Failed", delivery="d1", timestamp=42
    )

    # Then
    assert headers[SIGNATURE_HEADER] == f"v2={sign(b's', 42, body, owner='o1', delivery='d1')}"
    assert headers[TIMESTAMP_HEADER] == "42"
    assert headers[EVENT_HEADER] == "Job Failed"
    assert headers[DELIVERY_HEADER] == "d1"


def test_post_refuses_a_url_that_is_not_http():
    # Given
    url = "file:///etc/passwd"

    # When
    outcome = post(url, b"{}", {})

    # Then
    assert not outcome.delivered
    assert outcome.status is None
