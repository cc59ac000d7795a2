"""The one error model of the HTTP API and the one map from exception to answer, shared by
every function that serves a route (StatusFunction, PredictFunction).

Every error answers `{"error": {"code", "message", "details": [{"line", "column", "message"}]}}`:
`line` and `column` place an input problem as an editor would; for a problem in the request,
`column` names the field (`callback_url`, `limit`, `rows.3.age`) and `line` is null.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import BaseModel

from batchscore_core.errors import InvalidTransition, JobNotFound, ResultNotReady
from batchscore_core.identity import MissingScope, NotAuthenticated
from batchscore_core.models import ErrorDetail, JobError
from batchscore_core.observability import logger
from batchscore_core.store import InvalidPageToken

# The codes clients may branch on (each named once).
NOT_AUTHENTICATED = "not_authenticated"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
INVALID_REQUEST = "invalid_request"
INVALID_PAGE_TOKEN = "invalid_token"  # noqa: S105 (an error code, not a secret)
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
IDEMPOTENCY_CONFLICT = "idempotency_conflict"
IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
INTERNAL_ERROR = "internal_error"
MODEL_UNAVAILABLE = "model_unavailable"


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    error: JobError


class ApiProblem(Exception):
    """An error of a function's own logic that the API answers as it says."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = INVALID_REQUEST

    def __init__(self, message: str, details: Sequence[ErrorDetail] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)


class FieldProblem(ApiProblem):
    """One request field refused by logic rather than by the request model."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__("the request is invalid", [ErrorDetail(column=field, message=message)])


def error_response(
    status: HTTPStatus, code: str, message: str, details: Iterable[ErrorDetail] = ()
) -> Response[str]:
    body = ErrorBody(error=JobError(code=code, message=message, details=list(details)))
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
    )


def field_problem(error: dict[str, Any]) -> ErrorDetail:
    """A pydantic error as a detail: its location past `body`/`query`/`header` is the field."""
    path = [str(part) for part in error.get("loc", ())][1:]
    return ErrorDetail(column=".".join(path) or None, message=str(error.get("msg", "invalid")))


def map_error(
    app: ApiGatewayResolver, exception: type[Exception], status: HTTPStatus, code: str, message: str
) -> None:
    """An exception this map cannot import (another layer's) answered with a fixed text."""

    @app.exception_handler(exception)
    def answer(exc: Exception) -> Response[str]:
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.exception(message)
        return error_response(status, code, message)


def install_error_handlers(
    app: ApiGatewayResolver,
    too_large: Sequence[tuple[str, str]] = (),
) -> None:
    """Every exception a route may raise, mapped to its status here only. `too_large` lists
    the (field, message) pairs whose `too_long` validation error answers 413, not 422."""

    @app.exception_handler(ApiProblem)
    def api_problem(exc: ApiProblem) -> Response[str]:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(JobNotFound)
    def job_not_found(exc: JobNotFound) -> Response[str]:
        # The same answer for a missing job and another owner's job: ids are not probed.
        return error_response(HTTPStatus.NOT_FOUND, exc.code, "job not found")

    @app.exception_handler(InvalidTransition)
    def invalid_transition(exc: InvalidTransition) -> Response[str]:
        return error_response(HTTPStatus.CONFLICT, exc.code, str(exc))

    @app.exception_handler(ResultNotReady)
    def result_not_ready(exc: ResultNotReady) -> Response[str]:
        return error_response(HTTPStatus.CONFLICT, exc.code, str(exc))

    @app.exception_handler(InvalidPageToken)
    def invalid_token(exc: InvalidPageToken) -> Response[str]:
        problem = ErrorDetail(column="next_token", message="not a token we issued")
        return error_response(
            HTTPStatus.BAD_REQUEST, INVALID_PAGE_TOKEN, "invalid next_token", [problem]
        )

    @app.exception_handler(NotAuthenticated)
    def not_authenticated(exc: NotAuthenticated) -> Response[str]:
        return error_response(
            HTTPStatus.UNAUTHORIZED, NOT_AUTHENTICATED, "a valid token is required"
        )

    @app.exception_handler(MissingScope)
    def forbidden(exc: MissingScope) -> Response[str]:
        return error_response(HTTPStatus.FORBIDDEN, FORBIDDEN, str(exc))

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response[str]:
        errors = list(exc.errors())
        for field, message in too_large:
            if any(_too_long(error, field) for error in errors):
                return error_response(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"too_many_{field}", message
                )
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            INVALID_REQUEST,
            "the request is invalid",
            [field_problem(error) for error in errors],
        )

    @app.exception_handler(UnicodeDecodeError)
    def body_not_utf8(exc: UnicodeDecodeError) -> Response[str]:
        # Powertools turns bad JSON into a validation error, but not a body that is not UTF-8.
        problem = ErrorDetail(message="the body is not UTF-8 text")
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, INVALID_REQUEST, "the request is invalid", [problem]
        )

    for exception, status, code, message in _FIXED_ANSWERS:
        map_error(app, exception, status, code, message)

    @app.exception_handler(Exception)
    def internal_error(exc: Exception) -> Response[str]:
        logger.exception("unexpected error")
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR, "something went wrong on our side"
        )


_FIXED_ANSWERS: tuple[tuple[type[Exception], HTTPStatus, str, str], ...] = (
    (
        RequestUnsupportedContentType,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        UNSUPPORTED_MEDIA_TYPE,
        "send application/json",
    ),
    (
        IdempotencyValidationError,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        IDEMPOTENCY_CONFLICT,
        "this Idempotency-Key was used with a different request",
    ),
    (
        IdempotencyAlreadyInProgressError,
        HTTPStatus.CONFLICT,
        IDEMPOTENCY_IN_PROGRESS,
        "a request with this Idempotency-Key is still being processed",
    ),
    (NotFoundError, HTTPStatus.NOT_FOUND, NOT_FOUND, "no such route"),
)


def api_app(
    *routers: Router,
    too_large: Sequence[tuple[str, str]] = (),
    unavailable: Sequence[type[Exception]] = (),
) -> APIGatewayHttpResolver:
    """An HTTP API function's resolver: its routes, validated, with the one error map; each
    of `unavailable` (another layer's "cannot serve now") answers 503 model_unavailable."""
    app = APIGatewayHttpResolver(enable_validation=True)
    for router in routers:
        app.include_router(router)
    install_error_handlers(app, too_large)
    for exception in unavailable:
        map_error(
            app,
            exception,
            HTTPStatus.SERVICE_UNAVAILABLE,
            MODEL_UNAVAILABLE,
            "the model is not available",
        )
    return app


def _too_long(error: dict[str, Any], field: str) -> bool:
    return error.get("type") == "too_long" and tuple(error.get("loc", ()))[-1:] == (field,)
