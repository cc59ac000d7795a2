"""The OpenAPI document: title, version, servers, the bearer JWT scheme, and every route
(POST /predict from the same declaration PredictFunction serves: batchscore_core.predict_contract).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

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
    return document
