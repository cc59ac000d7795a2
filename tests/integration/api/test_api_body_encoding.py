"""A request body that is not UTF-8 (API Gateway passes it base64-encoded) is the caller's error."""

from __future__ import annotations

import base64
import json

from status_handler import lambda_handler

from tests.integration.api.api_calls import build_event
from tests.integration.moto_stack import FakeLambdaContext


def test_create_with_a_body_that_is_not_utf8_is_an_invalid_request() -> None:
    # Given a body of bytes that are not UTF-8, base64-encoded by API Gateway
    event = build_event("POST", "/jobs", body=base64.b64encode(b"\x82\xd9\x98").decode())
    event["isBase64Encoded"] = True

    # When it is posted to create a job
    answer = lambda_handler(event, FakeLambdaContext("status"))

    # Then the answer is a 422 in the common error shape, not a server error
    code = json.loads(answer["body"])["error"]["code"]
    assert (answer["statusCode"], code) == (422, "invalid_request")
