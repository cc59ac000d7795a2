import base64

from infra.local.api.event import HttpRequest, build_event


def request(**overrides) -> HttpRequest:
    values = {
        "method": "POST",
        "path": "/jobs/j-1/retry",
        "query": "a=1&a=2&b=",
        "headers": [
            ("Content-Type", "application/json"),
            ("X-Multi", "one"),
            ("X-Multi", "two"),
            ("User-Agent", "pytest"),
            ("Cookie", "s=1; t=2"),
        ],
        "body": b'{"x": 1}',
        "source_ip": "127.0.0.1",
        "received_at": 1_700_000_000.5,
    }
    values.update(overrides)
    return HttpRequest(**values)


def build(req: HttpRequest, authorizer=None) -> dict:
    return build_event(
        req,
        route_key="POST /jobs/{job_id}/retry",
        path_parameters={"job_id": "j-1"},
        api_id="local",
        account_id="123456789012",
        domain_name="127.0.0.1:3000",
        authorizer=authorizer,
    )


def test_event_has_the_v2_top_level_fields():
    # Given
    req = request()

    # When
    event = build(req)

    # Then
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /jobs/{job_id}/retry"
    assert event["rawPath"] == "/jobs/j-1/retry"
    assert event["rawQueryString"] == "a=1&a=2&b="
    assert event["pathParameters"] == {"job_id": "j-1"}
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["body"] == '{"x": 1}'
    assert event["isBase64Encoded"] is False


def test_headers_are_lower_cased_and_repeated_ones_joined():
    # Given
    req = request()

    # When
    headers = build(req)["headers"]

    # Then
    assert headers == {
        "content-type": "application/json",
        "x-multi": "one,two",
        "user-agent": "pytest",
    }


def test_request_context_describes_the_call():
    # Given
    req = request()

    # When
    context = build(req)["requestContext"]

    # Then
    assert context["accountId"] == "123456789012"
    assert context["apiId"] == "local"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "POST /jobs/{job_id}/retry"
    assert context["timeEpoch"] == 1_700_000_000_500
    assert context["time"] == "14/Nov/2023:22:13:20 +0000"
    assert context["http"] == {
        "method": "POST",
        "path": "/jobs/j-1/retry",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "pytest",
    }
    assert "authorizer" not in context


def test_binary_body_is_base64_encoded():
    # Given
    req = request(headers=[("Content-Type", "application/octet-stream")], body=b"\x00\xff")

    # When
    event = build(req)

    # Then
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"


def test_authorizer_context_is_passed_through():
    # Given
    authorizer = {"jwt": {"claims": {"sub": "u-1"}, "scopes": None}}

    # When
    event = build(request(), authorizer)

    # Then
    assert event["requestContext"]["authorizer"] == authorizer
