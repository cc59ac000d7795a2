"""The OpenAPI document: title, version, servers, the bearer JWT scheme, and every route."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

from batchscore_core import registry_api

TITLE = "batchscore"
API_VERSION = "1.0.0"
DESCRIPTION = (
    "CSV in, Excel with a model's predictions out. Create a job, upload its CSV with the "
    "presigned POST, poll the job (or receive its webhook), then download the result."
)
_ERROR = {"$ref": "#/components/schemas/ErrorBody"}

# PredictFunction serves POST /predict (it needs the heavy model layer); it is described here
# so that one document covers the whole HTTP API.
PREDICT = {
    "post": {
        "summary": "Score up to 1000 rows synchronously (PredictFunction)",
        "operationId": "predict_predict_post",
        "security": [{"bearerAuth": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["rows"],
                        "properties": {
                            "rows": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 1000,
                                "items": {"type": "object"},
                            }
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "Predictions in input order",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["model_version", "predictions"],
                            "properties": {
                                "model_version": {"type": "string"},
                                "predictions": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    }
                },
            },
            **{
                status: {"description": text, "content": {"application/json": {"schema": _ERROR}}}
                for status, text in {
                    "401": "No valid token",
                    "403": "The token lacks the jobs/predict scope",
                    "413": "More than 1000 rows: send a job instead",
                    "422": "Rows that cannot be scored (details name each)",
                }.items()
            },
        },
    }
}


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
    document["paths"]["/predict"] = PREDICT
    _add_registry_routes(document)
    return document


def _add_registry_routes(document: dict[str, Any]) -> None:
    """RegistryFunction serves /models*: its routes, generated from the same router, join here."""
    registry = APIGatewayHttpResolver(enable_validation=True)
    registry.include_router(registry_api.router)
    generated: dict[str, Any] = json.loads(
        registry.get_openapi_json_schema(
            title=TITLE, security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")}
        )
    )
    document["paths"].update(generated.get("paths", {}))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in generated.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
