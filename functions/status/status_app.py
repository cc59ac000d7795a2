"""The HTTP API: the resolver, its routers, its error mapping and its OpenAPI document."""

from __future__ import annotations

from typing import Any

import status_info
import status_routes
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from batchscore_core.api_docs import answers
from batchscore_core.api_errors import api_app
from batchscore_core.model_files import BundleTampered
from batchscore_core.predict_contract import TOO_MANY_ROWS, PredictResponse, Row, predict_router
from batchscore_model.errors import BundleError


def served_by_predict_function(rows: list[Row], model: str | None = None) -> PredictResponse:
    """API Gateway routes POST /predict to PredictFunction: here it is only documented."""
    raise NotFoundError()


app = api_app(
    status_routes.router,
    status_info.router,
    predict_router(served_by_predict_function),
    too_large=[TOO_MANY_ROWS],
    unavailable=[BundleError, BundleTampered],
)


@app.get(
    "/openapi.json",
    summary="This document (no auth)",
    responses=answers(200, "The OpenAPI 3.1 document"),
)
def get_openapi() -> dict[str, Any]:
    # Imported here: the document (and the registry's routes in it) is no cold start's work.
    from status_openapi import openapi_document

    return openapi_document(app)
