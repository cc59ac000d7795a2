"""Calling the status handler as API Gateway does, with real-shaped v2 events."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from status_handler import lambda_handler

from batchscore_core.models import JobStatus
from batchscore_core.store import JobStore
from tests.integration.moto_stack import FakeLambdaContext, load_event

USER_SUB = "0f5e2a64-7b1c-4d3e-9a8b-6c5d4e3f2a1b"
OTHER_SUB = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
PARTNER = "7partnerclient0000000000a"
# The keys of each column of GET /model, and of a registry version (DESIGN.md).
COLUMN_KEYS = {"name", "dtype", "required", "min", "max", "categories"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


EVENT_OF_CALLER = {
    "user": "api/user_get_jobs.json",
    "machine": "api/machine_get_jobs.json",
    "anonymous": "api/public_get_health.json",
}


def build_event(
    method: str,
    path: str,
    *,
    caller: str = "user",
    sub: str | None = None,
    scopes: list[str] | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A v2 event as API Gateway sends it, from one of the fixture events."""
    event = load_event(EVENT_OF_CALLER[caller])
    route = "/".join("{job_id}" if part and len(part) >= 20 else part for part in path.split("/"))
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["requestId"] = uuid.uuid4().hex[:16]
    if query:
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = dict(query)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    event["headers"].update({name.lower(): value for name, value in (headers or {}).items()})
    jwt = event["requestContext"].get("authorizer", {}).get("jwt")
    if jwt is not None and sub is not None:
        jwt["claims"]["sub"] = sub
        if caller == "machine":
            jwt["claims"]["client_id"] = sub
    if jwt is not None and scopes is not None:
        jwt["claims"]["scope"] = " ".join(scopes)
        jwt["scopes"] = scopes
    return event


class Api:
    """Calls the handler as API Gateway would, answers the status and the decoded body."""

    def __call__(self, method: str, path: str, **kwargs: Any) -> Answer:
        result = lambda_handler(build_event(method, path, **kwargs), FakeLambdaContext("status"))
        text = result.get("body") or ""
        return Answer(
            status=result["statusCode"],
            headers=result.get("headers", {}),
            body=json.loads(text) if text else None,
        )

    def create(self, filename: str = "scores.csv", **kwargs: Any) -> dict[str, Any]:
        answer = self("POST", "/jobs", body={"filename": filename}, **kwargs)
        assert answer.status == 201, answer.body
        created: dict[str, Any] = answer.body
        return created


def put_state(jobs: JobStore, job_id: str, status: JobStatus, **changes: Any) -> None:
    """Arrange a job's state directly, as the pipeline functions would have left it."""
    jobs.update(job_id, {"status": status.value, **changes})
