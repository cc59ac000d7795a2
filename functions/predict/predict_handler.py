"""PredictFunction: POST /predict scores up to 1000 rows synchronously."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from predict_models import MAX_ROWS, ErrorResponse, PredictRequest, PredictResponse
from predict_rows import InvalidRows, predict_rows

from batchscore_core.identity import PREDICT, MissingScope, NotAuthenticated, caller_from_event
from batchscore_core.observability import logger, metrics, tracer
from batchscore_model.loaded import model_bundle

app = APIGatewayHttpResolver(enable_validation=True)


@app.post("/predict", responses={200: {"description": "predictions in input order"}})
def predict(request: PredictRequest) -> PredictResponse:
    caller_from_event(app.current_event.raw_event).require(PREDICT)
    return predict_rows(request.rows, model_bundle())


def error_response(
    status: int, code: str, message: str, details: Sequence[dict[str, Any]] = ()
) -> Response:
    body = ErrorResponse.model_validate(
        {"error": {"code": code, "message": message, "details": list(details)}}
    )
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
    )


@app.exception_handler(InvalidRows)
def invalid_rows(exc: InvalidRows) -> Response:
    return error_response(422, exc.code, "some rows cannot be scored", exc.details)


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response:
    errors = list(exc.errors())
    if any(_is_too_many_rows(error) for error in errors):
        message = f"at most {MAX_ROWS} rows per request: send larger files as a job"
        return error_response(413, "too_many_rows", message)
    details = [
        {
            "column": ".".join(str(part) for part in error.get("loc", ())[1:]) or None,
            "message": str(error.get("msg", "invalid")),
        }
        for error in errors
    ]
    return error_response(422, "invalid_request", "the request body is not valid", details)


@app.exception_handler(UnicodeDecodeError)
def body_not_utf8(_: UnicodeDecodeError) -> Response:
    # Powertools turns bad JSON into a validation error, but not a body that is not UTF-8.
    return error_response(422, "invalid_request", "the request body is not UTF-8 JSON")


@app.exception_handler(NotAuthenticated)
def not_authenticated(_: NotAuthenticated) -> Response:
    return error_response(401, "unauthorized", "a valid token is required")


@app.exception_handler(MissingScope)
def missing_scope(exc: MissingScope) -> Response:
    return error_response(403, "forbidden", str(exc))


@app.not_found
def not_found(_: Exception) -> Response:
    return error_response(404, "not_found", "no such route")


@app.exception_handler(Exception)
def unexpected(_: Exception) -> Response:
    logger.exception("unexpected error")
    return error_response(500, "internal_error", "something went wrong on our side")


def _is_too_many_rows(error: dict[str, Any]) -> bool:
    return error.get("type") == "too_long" and tuple(error.get("loc", ()))[-1:] == ("rows",)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
