from __future__ import annotations

import base64
import json
from pathlib import Path

import predict_handler

from tests.lambda_context import FakeLambdaContext

EVENTS = Path(__file__).resolve().parents[2] / "events" / "predict"


def test_a_body_that_is_not_utf8_is_an_invalid_request() -> None:
    # Given a body of bytes that are not UTF-8, base64-encoded by API Gateway
    event = json.loads((EVENTS / "post_predict_user.json").read_text())
    event["body"] = base64.b64encode(b"5TO\x0e\xe4\xdc\x1d\xa7\x01").decode()
    event["isBase64Encoded"] = True

    # When it is posted
    response = predict_handler.lambda_handler(event, FakeLambdaContext("predict"))

    # Then the answer is a 422 in the common error shape, not a server error
    code = json.loads(response["body"])["error"]["code"]
    assert (response["statusCode"], code) == (422, "invalid_request")
