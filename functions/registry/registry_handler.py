"""RegistryFunction: the model registry routes of the HTTP API (models, versions, aliases)."""

from __future__ import annotations

import gc

# The imports make long-lived objects only (modules, classes, models): collecting meanwhile
# is 7-9% of the init's CPU for nothing (Python 3.12, the build). Back on once they are done.
gc.disable()

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from registry_app import app

from batchscore_core.observability import logger, metrics, tracer

gc.enable()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
