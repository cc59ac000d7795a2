"""ModelPublishFunction: S3 notifications of bundle archives -> versions published or refused."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    import tempfile
    from pathlib import Path
    from typing import Any

    # Before anything imports pydantic: Powertools' batch utility then skips building the
    # DynamoDB, Kinesis and Kafka record models it names only in type hints (README).
    import aws_lambda_powertools.utilities.batch  # noqa: F401
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from publish_upload import publish_upload

    from batchscore_core.adapters import model_events, model_files, model_registry
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.s3_events import StoredObject, created_objects_response


def publish_object(obj: StoredObject) -> None:
    publish_upload(
        obj.key,
        registry=model_registry(),
        files=model_files(),
        events=model_events(),
        work_dir=Path(tempfile.gettempdir()),
    )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return created_objects_response(event, context, publish_object)
