"""The OpenAPI document: title, version, servers, the bearer JWT scheme, and every route
(POST /predict from the same declaration PredictFunction serves: batchscore_core.predict_contract).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

from batchscore_core import drift_api, registry_api, training_api

TITLE = "batchscore"
API_VERSION = "1.0.0"
DESCRIPTION = (
    "CSV in, Excel with a model's predictions out. Create a job, upload its CSV with the "
    "presigned POST, poll the job (or receive its webhook), then download the result."
)


def openapi_document(app: APIGatewayHttpResolver) -> dict[str, Any]:
    generated = app.get_openapi_json_schema(
        title=TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        servers=[Server(url="/", description="This API (relative to the host serving it)")],
        security_schemes={
            "bearerAuth": HTTPBearer(
                bearerFormat="JWT",
                description="A Cognito ID token (people) or client-credentials access token "
                "with the jobs/read or jobs/write scope (programs)",
            )
        },
    )
    document: dict[str, Any] = json.loads(generated)
    _add_registry_routes(document)
    return document


def _add_registry_routes(document: dict[str, Any]) -> None:
    """RegistryFunction serves /models*: its routes, generated from the same router, join here."""
    registry = APIGatewayHttpResolver(enable_validation=True)
    registry.include_router(registry_api.router)
    registry.include_router(drift_api.router)
    registry.include_router(training_api.router)
    generated: dict[str, Any] = json.loads(
        registry.get_openapi_json_schema(
            title=TITLE, security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")}
        )
    )
    document["paths"].update(generated.get("paths", {}))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in generated.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
