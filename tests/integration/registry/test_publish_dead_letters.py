"""Publish uploads whose every attempt crashed, under moto: the DLQ refuses them with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlq_handler
import publish_handler
import publish_upload
import pytest

from batchscore_core import adapters
from infra.local.seed_models import Registry
from tests.integration.moto_stack import Queue, Stack
from tests.integration.registry.registry_calls import archive, call
from tests.integration.registry.test_publish import NEW_VERSION, relabelled

NAME = "breast-cancer"


@pytest.fixture(autouse=True)
def seeded(registry: Registry) -> Registry:
    return registry


def queue_named(stack: Stack, suffix: str) -> Queue:
    urls = stack.sqs.list_queues()["QueueUrls"]
    url = next(u for u in urls if u.endswith(suffix))
    arn = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Queue(url=url, arn=arn["Attributes"]["QueueArn"])


def start_upload(stack: Stack, directory: Path) -> tuple[str, str]:
    """POST /models/{name}/versions and the archive uploaded: (upload id, archive key)."""
    started = call("POST", f"/models/{NAME}/versions", admin=True, body={"filename": "b.tar.gz"})
    assert started.status == 201, started.body
    key = started.body["upload"]["fields"]["key"]
    stack.purge(queue_named(stack, "-modeluploadsqueue"))  # S3's test event, earlier uploads
    stack.s3.put_object(Bucket=stack.bucket_name, Key=key, Body=archive(directory))
    return started.body["upload_id"], key


def dead_letter(stack: Stack, uploads: Queue, dlq: Queue) -> None:
    """The upload's S3 event moved to ModelUploadsDLQ, as SQS does after the last receive."""
    (message,) = stack.receive(uploads)
    stack.sqs.delete_message(QueueUrl=uploads.url, ReceiptHandle=message["ReceiptHandle"])
    stack.sqs.send_message(QueueUrl=dlq.url, MessageBody=message["Body"])


def upload_status(upload_id: str) -> dict[str, Any]:
    answer = call("GET", f"/models/{NAME}/uploads/{upload_id}", admin=True)
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def test_an_upload_whose_attempts_all_crashed_is_refused_with_the_reason(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given an upload whose validation crashes (out of memory) on every attempt
    uploads = queue_named(stack, "-modeluploadsqueue")
    dlq = queue_named(stack, "-modeluploadsdlq")
    upload_id, _ = start_upload(stack, relabelled(tmp_path))

    def crash(directory: Path) -> Any:
        raise MemoryError("checking the bundle ran out of memory")

    monkeypatch.setattr(publish_upload, "check_bundle", crash)
    _, delivered = stack.deliver(uploads, publish_handler.lambda_handler)
    assert delivered == 1
    assert upload_status(upload_id)["status"] == "VALIDATING"

    # When its S3 event ends in the model uploads DLQ and the DLQ function handles it
    dead_letter(stack, uploads, dlq)
    stack.drain(dlq, dlq_handler.lambda_handler)

    # Then the upload is REFUSED with a reason, and nothing was published
    upload = upload_status(upload_id)
    assert upload["status"] == "REFUSED"
    assert upload["error"]["code"] == "retries_exhausted"
    assert "nothing was published" in upload["error"]["message"]
    versions = [v["version"] for v in call("GET", f"/models/{NAME}").body["versions"]]
    assert NEW_VERSION not in versions
    assert stack.receive(dlq) == []


def test_a_version_claimed_by_a_killed_attempt_can_be_published_again(
    stack: Stack, tmp_path: Path
) -> None:
    # Given an attempt killed after it claimed its version (no cleanup ran)
    uploads = queue_named(stack, "-modeluploadsqueue")
    dlq = queue_named(stack, "-modeluploadsdlq")
    registry = adapters.model_registry()
    upload_id, _ = start_upload(stack, relabelled(tmp_path / "first"))
    claimed = registry.claim_upload(registry.get_upload(NAME, upload_id), lease_seconds=960)
    assert claimed is not None
    registry.claim_version(NAME, NEW_VERSION, upload_id)

    # When its event is dead-lettered and handled
    dead_letter(stack, uploads, dlq)
    stack.drain(dlq, dlq_handler.lambda_handler)

    # Then the upload is refused, and a new upload of the same version publishes it
    assert upload_status(upload_id)["status"] == "REFUSED"
    again, _ = start_upload(stack, relabelled(tmp_path / "again"))
    stack.drain(uploads, publish_handler.lambda_handler)
    assert (upload_status(again)["status"], upload_status(again)["version"]) == (
        "PUBLISHED",
        NEW_VERSION,
    )


def test_a_dead_lettered_upload_already_decided_is_left_as_it_was(
    stack: Stack, tmp_path: Path
) -> None:
    # Given an upload that was published, though a copy of its event reached the DLQ
    uploads = queue_named(stack, "-modeluploadsqueue")
    dlq = queue_named(stack, "-modeluploadsdlq")
    upload_id, _ = start_upload(stack, relabelled(tmp_path))
    (message,) = stack.receive(uploads, max_messages=1)
    stack.sqs.send_message(QueueUrl=dlq.url, MessageBody=message["Body"])
    stack.sqs.change_message_visibility(
        QueueUrl=uploads.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    stack.drain(uploads, publish_handler.lambda_handler)

    # When the DLQ function handles the copy
    stack.drain(dlq, dlq_handler.lambda_handler)

    # Then the upload stays PUBLISHED
    assert upload_status(upload_id)["status"] == "PUBLISHED"
