"""How routes describe their answers in the OpenAPI document (every function's routes)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from batchscore_core.api_errors import ErrorBody

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
AUTH = {401: "No valid token", 403: "The token lacks the scope"}
MISSING = {404: "No such job, or not the caller's (the same answer)"}
_ALWAYS = {
    422: "The request is invalid (details name each field)",
    500: "Unexpected error (logged)",
}


def error_doc(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


def answers(
    status: int, description: str, *errors: dict[int, str], empty: bool = False
) -> dict[int, OpenAPIResponse]:
    """The success answer (its schema from the route's return type) and the error answers."""
    success: OpenAPIResponse = {"description": description}
    if empty:
        success["content"] = {}
    documented = {status: success}
    for group in (_ALWAYS, *errors):  # a route's own descriptions win
        documented.update({code: error_doc(text) for code, text in group.items()})
    return documented
