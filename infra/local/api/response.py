"""Turn a handler's answer into an HTTP response, as API Gateway payload v2.0 does."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def json_response(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(
        status, [("content-type", "application/json")], json.dumps(payload).encode()
    )


INTERNAL_SERVER_ERROR = json_response(500, {"message": "Internal Server Error"})
UNAUTHORIZED = json_response(401, {"message": "Unauthorized"})
FORBIDDEN = json_response(403, {"message": "Forbidden"})
NOT_FOUND = json_response(404, {"message": "Not Found"})
BAD_REQUEST = json_response(400, {"message": "Bad Request"})
REQUEST_TIMEOUT = json_response(408, {"message": "Request Timeout"})
PAYLOAD_TOO_LARGE = json_response(413, {"message": "Request Entity Too Large"})


def map_result(result: Any) -> HttpResponse:
    """A dict with statusCode is a full answer; anything else becomes a 200 JSON body.

    That is API Gateway's rule for payload 2.0: a string is returned as is with a JSON
    content type, and any other value is serialized.
    """
    if isinstance(result, dict) and "statusCode" in result:
        return _full_answer(result)
    if isinstance(result, str):
        return HttpResponse(200, [("content-type", "application/json")], result.encode())
    return json_response(200, result)


def _full_answer(result: dict[str, Any]) -> HttpResponse:
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        return INTERNAL_SERVER_ERROR
    headers = [
        (str(name).lower(), str(value)) for name, value in (result.get("headers") or {}).items()
    ]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name).lower(), str(value)) for value in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw)
    else:
        body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
    if body and not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(status, headers, body)
