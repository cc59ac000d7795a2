"""PredictFunction: POST /predict scores a small batch of rows synchronously."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    from typing import Any

    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from predict_rows import predict_rows

    from batchscore_core.api_errors import api_app
    from batchscore_core.model_files import BundleTampered
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.predict_contract import TOO_MANY_ROWS, PredictResponse, Row, predict_router
    from batchscore_model.errors import BundleError
    from batchscore_model.loaded import model_bundle, resolve_model


def score(rows: list[Row], model: str | None = None, explain: bool = False) -> PredictResponse:
    ref = resolve_model(model)
    return predict_rows(rows, model_bundle(ref), model_name=ref.name, explain=explain)


app = api_app(
    predict_router(score), too_large=[TOO_MANY_ROWS], unavailable=[BundleError, BundleTampered]
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(capture_cold_start_metric=True)  # the dashboard's cold starts
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
