"""Every error the API answers, in one shape, each exception mapped to its status here only."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from status_exceptions import InsecureCallback, TooManyActiveJobs
from status_models import ErrorBody, ErrorInfo

from batchscore_core.errors import InvalidTransition, JobNotFound, ResultNotReady
from batchscore_core.identity import MissingScope, NotAuthenticated
from batchscore_core.observability import logger
from batchscore_core.store import InvalidPageToken
from batchscore_model.errors import BundleError


def error_response(
    status: HTTPStatus, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    body = ErrorBody(error=ErrorInfo(code=code, message=message, details=details or []))
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
    )


def _field_problem(error: dict[str, Any]) -> dict[str, Any]:
    location, *path = [str(part) for part in error.get("loc", ())] or ["request"]
    return {"location": location, "field": ".".join(path), "message": error.get("msg", "")}


def install_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(JobNotFound)
    def job_not_found(exc: JobNotFound) -> Response:
        # The same answer for a missing job and another owner's job: ids are not probed.
        return error_response(HTTPStatus.NOT_FOUND, exc.code, "job not found")

    @app.exception_handler(InvalidTransition)
    def invalid_transition(exc: InvalidTransition) -> Response:
        current = [{"status": exc.current.value}] if exc.current else []
        return error_response(HTTPStatus.CONFLICT, exc.code, str(exc), current)

    @app.exception_handler(ResultNotReady)
    def result_not_ready(exc: ResultNotReady) -> Response:
        return error_response(
            HTTPStatus.CONFLICT, exc.code, str(exc), [{"status": exc.status.value}]
        )

    @app.exception_handler(InvalidPageToken)
    def invalid_token(exc: InvalidPageToken) -> Response:
        problem = {"location": "query", "field": "next_token", "message": "not a token we issued"}
        return error_response(
            HTTPStatus.BAD_REQUEST, "invalid_token", "invalid next_token", [problem]
        )

    @app.exception_handler(NotAuthenticated)
    def not_authenticated(exc: NotAuthenticated) -> Response:
        return error_response(
            HTTPStatus.UNAUTHORIZED, "not_authenticated", "a valid token is required"
        )

    @app.exception_handler(MissingScope)
    def forbidden(exc: MissingScope) -> Response:
        return error_response(HTTPStatus.FORBIDDEN, "forbidden", str(exc), [{"scope": exc.scope}])

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response:
        details = [_field_problem(error) for error in exc.errors()]
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request is invalid", details
        )

    @app.exception_handler(UnicodeDecodeError)
    def body_not_utf8(exc: UnicodeDecodeError) -> Response:
        # Powertools turns bad JSON into a validation error, but not a body that is not UTF-8.
        problem = {"location": "body", "field": "", "message": "not UTF-8 text"}
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request is invalid", [problem]
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(exc: RequestUnsupportedContentType) -> Response:
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send application/json"
        )

    @app.exception_handler(InsecureCallback)
    def insecure_callback(exc: InsecureCallback) -> Response:
        problem = {"location": "body", "field": exc.field, "message": str(exc)}
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request is invalid", [problem]
        )

    @app.exception_handler(TooManyActiveJobs)
    def too_many_active_jobs(exc: TooManyActiveJobs) -> Response:
        response = error_response(
            HTTPStatus.TOO_MANY_REQUESTS, "too_many_active_jobs", str(exc), [{"limit": exc.limit}]
        )
        response.headers["Retry-After"] = "60"
        return response

    @app.exception_handler(IdempotencyValidationError)
    def idempotency_conflict(exc: IdempotencyValidationError) -> Response:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_conflict",
            "this Idempotency-Key was used with a different request",
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def idempotency_in_progress(exc: IdempotencyAlreadyInProgressError) -> Response:
        return error_response(
            HTTPStatus.CONFLICT,
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still being processed",
        )

    @app.exception_handler(BundleError)
    def model_unavailable(exc: BundleError) -> Response:
        logger.exception("the model bundle cannot be read")
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE, "model_unavailable", "the model is not available"
        )

    @app.exception_handler(NotFoundError)
    def not_found(exc: NotFoundError) -> Response:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")

    @app.exception_handler(Exception)
    def internal_error(exc: Exception) -> Response:
        logger.exception("unexpected error")
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side"
        )
