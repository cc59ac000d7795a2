"""S3 notifications as they arrive on the ingest queue (and its DLQ): an S3 event in an SQS body.

Powertools' S3RecordModel requires fields (userIdentity, requestParameters, bucket owner) that
the local emulator does not send, so these models keep only what ingest reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Json

from batchscore_core.keys import decode_event_key
from batchscore_core.sqs_batch import partial_batch_response


class S3BucketRef(BaseModel):
    name: str


class S3ObjectRef(BaseModel):
    key: str
    size: int | None = None
    eTag: str | None = None
    versionId: str | None = None
    sequencer: str | None = None


class S3Entity(BaseModel):
    bucket: S3BucketRef
    object: S3ObjectRef


class S3NotificationRecord(BaseModel):
    eventName: str
    eventTime: str | None = None
    s3: S3Entity


class S3NotificationBody(BaseModel):
    """Either object events (`Records`) or the `s3:TestEvent` S3 sends when configured."""

    Records: list[S3NotificationRecord] = []
    Event: str | None = None


class S3NotificationSqsRecord(SqsRecordModel):
    body: Json[S3NotificationBody]


@dataclass(frozen=True)
class StoredObject:
    """One created object, its key decoded, with what identifies this version of it."""

    bucket: str
    key: str
    size: int | None
    version_id: str | None
    sequencer: str | None
    etag: str | None
    event_time: str | None = None

    @property
    def version_tag(self) -> str:
        """versionId, else sequencer, else ETag at event time: stable across duplicate deliveries.

        The emulator sends neither versionId nor sequencer; the event time keeps two drops of
        identical bytes under one name apart there, as versionId does on AWS.
        """
        fallback = f"{self.etag}@{self.event_time}" if self.etag and self.event_time else self.etag
        return self.version_id or self.sequencer or fallback or ""


def created_objects(body: S3NotificationBody) -> list[StoredObject]:
    """The ObjectCreated records of a notification; a test event has none."""
    return [
        StoredObject(
            bucket=record.s3.bucket.name,
            key=decode_event_key(record.s3.object.key),
            size=record.s3.object.size,
            version_id=record.s3.object.versionId,
            sequencer=record.s3.object.sequencer,
            etag=record.s3.object.eTag,
            event_time=record.eventTime,
        )
        for record in body.Records
        if record.eventName.startswith("ObjectCreated:")
    ]


def created_objects_response(
    event: dict[str, Any], context: LambdaContext, handle: Callable[[StoredObject], None]
) -> dict[str, Any]:
    """A batch of S3 notifications from SQS: `handle` each created object, record by record.

    A record whose handling raised is retried whole (`handle` must be idempotent per object);
    the others are not. An `s3:TestEvent` has no objects and succeeds as is.
    """

    def record_handler(record: S3NotificationSqsRecord) -> None:
        for obj in created_objects(record.body):
            handle(obj)

    processor = BatchProcessor(event_type=EventType.SQS, model=S3NotificationSqsRecord)
    return partial_batch_response(event, context, processor, record_handler)
