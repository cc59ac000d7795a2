"""JobsDlqFunction: messages from JobsDLQ ({"job_id"}) and IngestDLQ (S3 events) -> FAILED;
from ModelUploadsDLQ (S3 events of publish uploads) -> the upload REFUSED."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    from typing import Any

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from dlq_jobs import fail_job, fail_upload
    from dlq_uploads import refuse_upload
    from pydantic import Json

    from batchscore_core.adapters import model_registry, transitions
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.queue import JobMessage
    from batchscore_core.registry import upload_of_key
    from batchscore_core.s3_events import S3NotificationBody, created_objects
    from batchscore_core.sqs_batch import partial_batch_response


class DeadLetterRecord(SqsRecordModel):
    body: Json[JobMessage | S3NotificationBody]


processor = BatchProcessor(event_type=EventType.SQS, model=DeadLetterRecord)


def record_handler(record: DeadLetterRecord) -> None:
    receive_count = int(record.attributes.ApproximateReceiveCount)
    if isinstance(record.body, JobMessage):
        fail_job(record.body.job_id, life=transitions(), receive_count=receive_count)
        return
    for obj in created_objects(record.body):
        if upload_of_key(obj.key) is not None:
            refuse_upload(obj.key, registry=model_registry(), receive_count=receive_count)
        else:
            fail_upload(obj, life=transitions(), receive_count=receive_count)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)  # the dashboard's cold starts
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch_response(event, context, processor, record_handler)
