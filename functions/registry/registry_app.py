"""The registry's resolver and its error map: the same error shape as the status API."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from batchscore_core import registry_api
from batchscore_core.identity import MissingScope, NotAuthenticated
from batchscore_core.model_files import BundleTampered
from batchscore_core.observability import logger
from batchscore_core.registry_models import (
    AliasConflict,
    ModelNotFound,
    UnknownAlias,
    UploadNotFound,
    VersionNotActive,
    VersionNotFound,
)

app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(registry_api.router)


def error_response(
    status: HTTPStatus, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(ModelNotFound)
def model_not_found(exc: ModelNotFound) -> Response:
    details = [{"model": name} for name in exc.known]
    return error_response(HTTPStatus.NOT_FOUND, exc.code, str(exc), details)


@app.exception_handler(VersionNotFound)
def version_not_found(exc: VersionNotFound) -> Response:
    details = [{"version": version} for version in exc.known]
    return error_response(HTTPStatus.NOT_FOUND, exc.code, str(exc), details)


@app.exception_handler(UploadNotFound)
def upload_not_found(exc: UploadNotFound) -> Response:
    return error_response(HTTPStatus.NOT_FOUND, exc.code, str(exc))


@app.exception_handler(UnknownAlias)
def unknown_alias(exc: UnknownAlias) -> Response:
    return error_response(HTTPStatus.NOT_FOUND, exc.code, str(exc))


@app.exception_handler(AliasConflict)
def alias_conflict(exc: AliasConflict) -> Response:
    return error_response(HTTPStatus.CONFLICT, exc.code, str(exc))


@app.exception_handler(VersionNotActive)
def version_not_active(exc: VersionNotActive) -> Response:
    return error_response(HTTPStatus.CONFLICT, exc.code, str(exc), [{"status": exc.status}])


@app.exception_handler(registry_api.InvalidModelName)
def invalid_name(exc: registry_api.InvalidModelName) -> Response:
    problem = {"location": "path", "field": "name", "message": str(exc)}
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request is invalid", [problem]
    )


@app.exception_handler(NotAuthenticated)
def not_authenticated(exc: NotAuthenticated) -> Response:
    return error_response(HTTPStatus.UNAUTHORIZED, "not_authenticated", "a valid token is required")


@app.exception_handler(MissingScope)
def missing_scope(exc: MissingScope) -> Response:
    return error_response(HTTPStatus.FORBIDDEN, "forbidden", str(exc), [{"scope": exc.scope}])


@app.exception_handler(registry_api.Forbidden)
def not_admin(exc: registry_api.Forbidden) -> Response:
    return error_response(
        HTTPStatus.FORBIDDEN,
        "forbidden",
        f"only admins may change the registry (group {registry_api.ADMINS_GROUP!r} or scope "
        f"{registry_api.ADMIN_SCOPE})",
        [{"scope": registry_api.ADMIN_SCOPE}],
    )


@app.exception_handler(RequestValidationError)
def invalid_request(exc: RequestValidationError) -> Response:
    details = []
    for error in exc.errors():
        location, *path = [str(part) for part in error.get("loc", ())] or ["request"]
        details.append(
            {"location": location, "field": ".".join(path), "message": error.get("msg", "")}
        )
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request is invalid", details
    )


@app.exception_handler(BundleTampered)
def bundle_tampered(exc: BundleTampered) -> Response:
    logger.exception("a stored bundle does not match its record")
    return error_response(
        HTTPStatus.SERVICE_UNAVAILABLE, "model_unavailable", "the model is not available"
    )


@app.exception_handler(NotFoundError)
def no_route(exc: NotFoundError) -> Response:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")


@app.exception_handler(Exception)
def internal_error(exc: Exception) -> Response:
    logger.exception("unexpected error")
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side"
    )
