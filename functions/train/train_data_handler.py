"""TrainingDataFunction: S3 notifications of CSVs under `training/<name>/` -> ACCEPTED or REJECTED."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    from typing import Any

    # Before anything imports pydantic: Powertools' batch utility then skips building the
    # DynamoDB, Kinesis and Kafka record models it names only in type hints (README).
    import aws_lambda_powertools.utilities.batch  # noqa: F401
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from train_check import check_training_object, training_files

    from batchscore_core import adapters
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.s3_events import StoredObject, created_objects_response


def check_object(obj: StoredObject) -> None:
    check_training_object(
        obj.key,
        size=obj.size,
        registry=adapters.model_registry(),
        model_files=adapters.model_files(),
        data=adapters.data_store(),
        files=training_files(),
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return created_objects_response(event, context, check_object)
