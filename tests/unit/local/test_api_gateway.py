import json
from typing import Any

from infra.local.api.cors import CorsConfig
from infra.local.api.event import HttpRequest
from infra.local.api.gateway import HttpApiGateway
from infra.local.api.jwt_auth import Unauthorized
from infra.local.api.routes import RouteTable
from infra.local.errors import HandlerError
from infra.local.functions import HttpRoute


class StubVerifier:
    """Accepts the token `good` (scope jobs/read), rejects anything else."""

    def verify(self, authorization: str | None) -> dict[str, Any]:
        if authorization != "Bearer good":
            raise Unauthorized("bad token")
        return {"sub": "user-1", "scope": "jobs/read"}


def gateway(answer: Any = None, error: Exception | None = None) -> tuple[HttpApiGateway, list]:
    calls: list[tuple[str, dict]] = []

    def invoke(function: str, event: dict) -> Any:
        calls.append((function, event))
        if error is not None:
            raise error
        return answer

    routes = RouteTable(
        [
            (HttpRoute("GET", "/jobs", "HttpApi", "Jwt"), "StatusFunction"),
            (HttpRoute("POST", "/jobs", "HttpApi", "Jwt", ("jobs/write",)), "StatusFunction"),
            (HttpRoute("GET", "/health", "HttpApi", None), "StatusFunction"),
        ]
    )
    cors = CorsConfig(allow_origins=("http://127.0.0.1:8080",), allow_headers=("authorization",))
    api = HttpApiGateway(
        routes=routes,
        invoke=invoke,
        verifiers={"Jwt": StubVerifier()},
        cors=cors,
        account_id="123456789012",
    )
    return api, calls


def request(method: str, path: str, *headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest(method, path, "", list(headers), b"", "127.0.0.1")


def test_valid_token_reaches_the_function_with_its_claims():
    # Given
    api, calls = gateway(answer={"statusCode": 200, "body": "[]"})

    # When
    response = api.handle(request("GET", "/jobs", ("Authorization", "Bearer good")), "local")

    # Then
    assert response.status == 200
    (function, event), *_ = calls
    assert function == "StatusFunction"
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "user-1"


def test_invalid_token_is_401_and_the_function_is_not_called():
    # Given
    api, calls = gateway()

    # When
    response = api.handle(request("GET", "/jobs", ("Authorization", "Bearer bad")), "local")

    # Then
    assert (response.status, json.loads(response.body)) == (401, {"message": "Unauthorized"})
    assert calls == []


def test_token_without_the_routes_scope_is_403():
    # Given
    api, calls = gateway()

    # When
    response = api.handle(request("POST", "/jobs", ("Authorization", "Bearer good")), "local")

    # Then
    assert response.status == 403
    assert calls == []


def test_function_failure_is_500():
    # Given
    api, _ = gateway(error=HandlerError("StatusFunction", "RuntimeError", "boom"))

    # When
    response = api.handle(request("GET", "/health"), "local")

    # Then
    assert (response.status, json.loads(response.body)) == (
        500,
        {"message": "Internal Server Error"},
    )


def test_preflight_is_answered_without_calling_the_function():
    # Given
    api, calls = gateway()
    preflight = request(
        "OPTIONS",
        "/jobs",
        ("Origin", "http://127.0.0.1:8080"),
        ("Access-Control-Request-Method", "GET"),
    )

    # When
    response = api.handle(preflight, "local")

    # Then
    assert response.status == 204
    assert ("access-control-allow-origin", "http://127.0.0.1:8080") in response.headers
    assert calls == []


def test_answers_to_an_allowed_origin_carry_the_cors_header():
    # Given
    api, _ = gateway(answer={"ok": True})

    # When
    response = api.handle(request("GET", "/health", ("Origin", "http://127.0.0.1:8080")), "local")

    # Then
    assert ("access-control-allow-origin", "http://127.0.0.1:8080") in response.headers
