"""UploadFunction: S3 notifications from the ingest queue -> jobs QUEUED or REJECTED."""

from __future__ import annotations

import gc

# The imports make long-lived objects only (modules, classes, models): collecting meanwhile
# is 7-9% of the init's CPU for nothing (Python 3.12, the build). Back on once they are done.
gc.disable()

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from ingest_jobs import ingest
from upload_limits import choose_model

from batchscore_core.adapters import data_store, transitions
from batchscore_core.observability import logger, metrics, tracer
from batchscore_core.s3_events import StoredObject, created_objects_response

gc.enable()


def ingest_object(obj: StoredObject) -> None:
    ingest(obj, life=transitions(), data=data_store(), choose_model=choose_model)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)  # the dashboard's cold starts
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return created_objects_response(event, context, ingest_object)
