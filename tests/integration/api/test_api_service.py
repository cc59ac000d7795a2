"""Routes about the service: health, the model's input schema, the OpenAPI document."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest

from batchscore_core import adapters
from batchscore_core.registry import model_prefix
from batchscore_core.settings import get_settings
from batchscore_model.schema import SCHEMA_FILE
from infra.local.seed_models import Registry
from tests.integration.api.api_calls import COLUMN_KEYS, Api

SCHEMA = {
    "version": "2026.11.22-1",
    "task": "classification",
    "columns": [
        {"name": "age", "dtype": "integer", "required": True, "min": 18, "max": 99},
        {"name": "plan", "dtype": "category", "required": False, "categories": ["a", "b"]},
    ],
    "outputs": [
        {"name": "prediction", "dtype": "string", "description": "the predicted class"},
        {"name": "probability_yes", "dtype": "number", "description": "P(yes)"},
    ],
    "classes": ["no", "yes"],
}
DESIGN_ROUTES = {
    ("post", "/jobs"),
    ("get", "/jobs"),
    ("get", "/jobs/{job_id}"),
    ("get", "/jobs/{job_id}/result"),
    ("post", "/jobs/{job_id}/retry"),
    ("post", "/jobs/{job_id}/archive"),
    ("delete", "/jobs/{job_id}"),
    ("get", "/model"),
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("post", "/predict"),
    ("get", "/models"),
    ("get", "/models/{name}"),
    ("get", "/models/{name}/versions/{version}"),
    ("put", "/models/{name}/aliases/{alias}"),
}


@pytest.fixture
def bundle(registry: Registry) -> str:
    """The default champion's stored schema replaced by SCHEMA, its checksums and the digest the
    registry recorded updated as publishing would have written them."""
    model = registry.models.get_model("breast-cancer")
    record = registry.models.get_version("breast-cancer", model.champion)
    key = model_prefix("breast-cancer", record.version)
    s3 = boto3.client("s3")
    bucket = adapters.model_files().bucket
    s3.put_object(Bucket=bucket, Key=key + SCHEMA_FILE, Body=json.dumps(SCHEMA).encode())
    listed = s3.get_object(Bucket=bucket, Key=key + "checksums.sha256")["Body"].read().decode()
    digest = hashlib.sha256(json.dumps(SCHEMA).encode()).hexdigest()
    lines = [
        f"{digest}  {SCHEMA_FILE}" if line.endswith(f"  {SCHEMA_FILE}") else line
        for line in listed.splitlines()
    ]
    text = "\n".join(lines) + "\n"
    s3.put_object(Bucket=bucket, Key=key + "checksums.sha256", Body=text.encode())
    registry.models._table.update_item(  # the digest publishing would have recorded
        Key={"name": "breast-cancer", "sk": f"VERSION#{record.version}"},
        UpdateExpression="SET checksums_sha256 = :digest",
        ExpressionAttributeValues={":digest": hashlib.sha256(text.encode()).hexdigest()},
    )
    return key


def test_health_answers_ok_without_a_token(api: Api) -> None:
    # Given no token
    # When health is asked for
    answer = api("GET", "/health", caller="anonymous")

    # Then it is ok
    assert (answer.status, answer.body) == (200, {"status": "ok"})


def test_model_describes_the_bundle_and_the_upload_limit(api: Api, bundle: str) -> None:
    # Given a model bundle
    # When its description is asked for
    answer = api("GET", "/model")

    # Then it has the version, task, columns, outputs and the upload size limit
    assert answer.status == 200
    assert answer.body["name"] == "breast-cancer"
    assert answer.body["version"] == SCHEMA["version"]
    assert answer.body["task"] == "classification"
    assert [c["name"] for c in answer.body["columns"]] == ["age", "plan"]
    assert set(answer.body["columns"][0]) == COLUMN_KEYS
    assert [o["name"] for o in answer.body["outputs"]] == ["prediction", "probability_yes"]
    assert answer.body["max_upload_bytes"] == get_settings().max_upload_bytes


def test_model_is_unavailable_when_the_bundle_is_broken(api: Api, bundle: str) -> None:
    # Given a stored bundle whose schema changed after its checksum was written
    boto3.client("s3").put_object(
        Bucket=adapters.model_files().bucket,
        Key=bundle + SCHEMA_FILE,
        Body=json.dumps({**SCHEMA, "version": "tampered"}).encode(),
    )

    # When the model is asked for
    answer = api("GET", "/model")

    # Then the model is unavailable, in the one error shape
    assert answer.status == 503
    assert answer.body["error"]["code"] == "model_unavailable"


def test_openapi_lists_every_route_of_the_design(api: Api) -> None:
    # Given no token
    # When the OpenAPI document is asked for
    document = api("GET", "/openapi.json", caller="anonymous").body

    # Then every route of DESIGN.md is there
    listed = {(method, path) for path, item in document["paths"].items() for method in item}
    assert listed >= DESIGN_ROUTES


def test_openapi_names_the_api_and_its_bearer_scheme(api: Api) -> None:
    # Given no token
    # When the OpenAPI document is asked for
    document = api("GET", "/openapi.json", caller="anonymous").body

    # Then it is batchscore's, with servers and a JWT bearer scheme
    assert document["info"]["title"] == "batchscore"
    assert document["info"]["version"]
    assert document["servers"]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")


def test_openapi_marks_job_routes_as_needing_the_bearer_token(api: Api) -> None:
    # Given the OpenAPI document
    document = api("GET", "/openapi.json", caller="anonymous").body

    # When its job routes and public routes are read
    jobs = document["paths"]["/jobs/{job_id}"]["get"]
    health = document["paths"]["/health"]["get"]

    # Then only the job route asks for the bearer token
    assert jobs["security"] == [{"bearerAuth": []}]
    assert "security" not in health


def test_openapi_documents_request_and_error_models(api: Api) -> None:
    # Given the OpenAPI document
    document = api("GET", "/openapi.json", caller="anonymous").body

    # When the create and result routes are read
    create = document["paths"]["/jobs"]["post"]
    result = document["paths"]["/jobs/{job_id}/result"]["get"]

    # Then the request body, the answer and the error answers have their schemas
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.endswith("/CreateJobRequest")
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CreatedJob"
    )
    for status in ("404", "409", "422"):
        schema = result["responses"][status]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorBody")
