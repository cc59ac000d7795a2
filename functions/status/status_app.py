"""The HTTP API: the resolver, its routers, its error mapping and its OpenAPI document."""

from __future__ import annotations

from typing import Any

import status_info
import status_routes
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from status_docs import answers
from status_errors import install_error_handlers
from status_openapi import openapi_document

app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(status_routes.router)
app.include_router(status_info.router)
install_error_handlers(app)


@app.get(
    "/openapi.json",
    summary="This document (no auth)",
    responses=answers(200, "The OpenAPI 3.1 document"),
)
def get_openapi() -> dict[str, Any]:
    return openapi_document(app)
