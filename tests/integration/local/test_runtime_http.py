"""The runtime in-process on the fixture template: HTTP API, JWT authorizer, web page."""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
import requests

from infra.local.errors import PortInUse
from infra.local.ports import free_port
from infra.local.runtime import LocalRuntime
from infra.local.settings import LocalSettings
from tests.integration.local.conftest import FIXTURE_TEMPLATE


def settings_for(state_dir: Path, **overrides) -> LocalSettings:
    values = {
        "emulator_port": free_port(),
        "api_port": free_port(),
        "web_port": free_port(),
        "template": FIXTURE_TEMPLATE,
        "state_dir": state_dir,
        "concurrency": 1,
        "poll_wait_seconds": 1,
        "visibility_timeout": 1,
    }
    values.update(overrides)
    return LocalSettings(**values)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    local = LocalRuntime(settings_for(tmp_path_factory.mktemp("local")))
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="module")
def id_token(runtime: LocalRuntime) -> str:
    settings = runtime.settings
    cognito = runtime.client("cognito-idp")
    answer = cognito.initiate_auth(
        ClientId=runtime.outputs["UserPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": settings.demo_user, "PASSWORD": settings.demo_password},
    )
    return answer["AuthenticationResult"]["IdToken"]


def test_route_with_a_valid_cognito_token_reaches_the_handler(runtime: LocalRuntime, id_token: str):
    # Given
    url = f"{runtime.settings.api_url}/echo/world?x=1"

    # When
    response = requests.get(url, headers={"Authorization": f"Bearer {id_token}"}, timeout=10)

    # Then
    assert response.status_code == 200
    body = response.json()
    assert body["routeKey"] == "GET /echo/{name}"
    assert body["pathParameters"] == {"name": "world"}
    assert body["queryStringParameters"] == {"x": "1"}
    assert body["claims"]["email"] == runtime.settings.demo_user
    assert body["layer"] == "fixture-core"
    assert body["function_name"] == "batchscore-local-httpfunction"
    assert 0 < body["remaining_ms"] <= 5000
    assert body["env"] == {
        "JOBS_TABLE_NAME": "batchscore-local-jobstable",
        "DATA_BUCKET_NAME": "batchscore-local-databucket",
        "MAX_UPLOAD_BYTES": "1024",
        "STAGE": "local",
    }
    assert response.headers["x-fixture"] == "yes"


def test_route_without_a_token_is_unauthorized(runtime: LocalRuntime):
    # Given
    url = f"{runtime.settings.api_url}/echo/world"

    # When
    response = requests.get(url, timeout=10)

    # Then
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


def test_route_with_a_forged_token_is_unauthorized(runtime: LocalRuntime, id_token: str):
    # Given
    header, payload, signature = id_token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    # When
    response = requests.get(
        f"{runtime.settings.api_url}/echo/world",
        headers={"Authorization": f"Bearer {forged}"},
        timeout=10,
    )

    # Then
    assert response.status_code == 401


def test_route_without_authorizer_needs_no_token(runtime: LocalRuntime):
    # Given
    url = f"{runtime.settings.api_url}/public"

    # When
    response = requests.post(
        url, data=b'{"a": 1}', headers={"content-type": "application/json"}, timeout=10
    )

    # Then
    assert response.status_code == 200
    assert response.json()["body"] == '{"a": 1}'


def test_handler_exception_is_an_internal_server_error(runtime: LocalRuntime):
    # Given
    url = f"{runtime.settings.api_url}/boom"

    # When
    response = requests.get(url, timeout=10)

    # Then
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error"})


def test_unknown_route_is_not_found(runtime: LocalRuntime):
    # Given / When
    response = requests.get(f"{runtime.settings.api_url}/nope", timeout=10)

    # Then
    assert response.status_code == 404


def test_preflight_is_answered_with_the_apis_cors_configuration(runtime: LocalRuntime):
    # Given
    headers = {
        "Origin": "http://127.0.0.1:8080",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }

    # When
    response = requests.options(f"{runtime.settings.api_url}/echo/x", headers=headers, timeout=10)

    # Then
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8080"
    assert "authorization" in response.headers["access-control-allow-headers"]


def test_web_config_points_the_page_at_the_local_stack(runtime: LocalRuntime):
    # Given
    settings = runtime.settings

    # When
    config = requests.get(f"{settings.web_url}/config.json", timeout=10).json()

    # Then
    assert config == {
        "apiUrl": settings.api_url,
        "region": "us-east-1",
        "userPoolId": runtime.outputs["UserPoolId"],
        "userPoolClientId": runtime.outputs["UserPoolClientId"],
        "bucket": "batchscore-local-databucket",
        "cognitoEndpoint": f"{settings.emulator_url}/",
    }


def test_stack_outputs_are_written_with_the_local_api_url(runtime: LocalRuntime):
    # Given
    path = runtime.settings.state_dir / "stack-outputs.json"

    # When
    outputs = json.loads(path.read_text())

    # Then
    assert outputs["ApiUrl"] == runtime.settings.api_url
    assert outputs["DataBucketName"] == "batchscore-local-databucket"
    assert (runtime.settings.state_dir / "ready").is_file()


def test_a_port_in_use_is_named_with_its_env_var(tmp_path: Path):
    # Given
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        local = LocalRuntime(settings_for(tmp_path, api_port=busy.getsockname()[1]))

        # When / Then
        with pytest.raises(PortInUse, match="BATCHSCORE_API_PORT"):
            local.start()


def uploaded_keys(runtime: LocalRuntime) -> set[str]:
    """Object keys of the S3 events that WorkerFunction recorded in JobsTable."""
    items = runtime.client("dynamodb").scan(TableName="batchscore-local-jobstable")["Items"]
    records = [
        record for item in items for record in json.loads(item["body"]["S"]).get("Records", [])
    ]
    # moto encodes event keys differently from AWS; unquote_plus reads both.
    return {unquote_plus(record["s3"]["object"]["key"]) for record in records}


def test_an_upload_reaches_the_queue_consumer_through_s3_and_sqs(runtime: LocalRuntime):
    # Given
    key = "uploads/u-1/j-1/input.csv"

    # When
    runtime.client("s3").put_object(Bucket="batchscore-local-databucket", Key=key, Body=b"a\n")

    # Then
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and key not in uploaded_keys(runtime):
        time.sleep(0.2)
    assert key in uploaded_keys(runtime)


def test_the_emulator_answers_the_pages_cors_preflight_for_cognito(runtime: LocalRuntime):
    # Given: what a browser sends before InitiateAuth from the web page
    headers = {
        "Origin": runtime.settings.web_url,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
    }

    # When
    response = requests.options(f"{runtime.settings.emulator_url}/", headers=headers, timeout=10)

    # Then
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == runtime.settings.web_url
    assert "x-amz-target" in response.headers["access-control-allow-headers"]
