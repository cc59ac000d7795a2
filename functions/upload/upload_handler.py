"""UploadFunction: S3 notifications from the ingest queue -> jobs QUEUED or REJECTED."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    from typing import Any

    # Before anything imports pydantic: Powertools' batch utility then skips building the
    # DynamoDB, Kinesis and Kafka record models it names only in type hints (README).
    import aws_lambda_powertools.utilities.batch  # noqa: F401
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from ingest_jobs import ingest
    from upload_limits import choose_model

    from batchscore_core.adapters import data_store, transitions
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.s3_events import StoredObject, created_objects_response


def ingest_object(obj: StoredObject) -> None:
    ingest(obj, life=transitions(), data=data_store(), choose_model=choose_model)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)  # the dashboard's cold starts
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return created_objects_response(event, context, ingest_object)
