"""POST /predict as the API promises it: its bodies, its limit and its route declaration.

PredictFunction serves the route; StatusFunction includes the same declaration (never served
there) so that its OpenAPI document, generated from these models, covers the whole HTTP API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from batchscore_core.api_docs import AUTH, BEARER, answers
from batchscore_core.identity import PREDICT, caller_from_event

MAX_ROWS = 1000
TOO_MANY_ROWS = ("rows", f"at most {MAX_ROWS} rows per request: send larger files as a job")

Row = dict[str, Any]


class PredictRequest(BaseModel):
    rows: Annotated[list[Row], Field(min_length=1, max_length=MAX_ROWS)]
    model: Annotated[
        str | None,
        Field(
            max_length=200,
            description="`<name>` (its champion) or `<name>@<version>`; default: the default "
            "model's champion",
        ),
    ] = None
    explain: Annotated[
        bool,
        Field(
            description="Each prediction gains `reasons`: its top three inputs by contribution "
            "(linear models and tree ensembles; another model answers 422 `explain_unsupported`)",
        ),
    ] = False


class PredictResponse(BaseModel):
    model_name: str | None = None
    model_version: str
    predictions: list[dict[str, Any]]


Score = Callable[[list[Row], str | None, bool], PredictResponse]


def predict_router(score: Score) -> Router:
    """The route, scoring with `score` (PredictFunction) once the caller may predict."""
    router = Router()

    @router.post(
        "/predict",
        summary=f"Score up to {MAX_ROWS} rows synchronously (PredictFunction)",
        security=BEARER,
        responses=answers(
            200,
            "Predictions in input order",
            AUTH,
            {
                413: f"More than {MAX_ROWS} rows: send a job instead",
                422: "Rows that cannot be scored (details name each)",
            },
        ),
    )
    def predict(request: PredictRequest) -> PredictResponse:
        caller_from_event(router.current_event.raw_event).require(PREDICT)
        return score(request.rows, request.model, request.explain)

    return router
