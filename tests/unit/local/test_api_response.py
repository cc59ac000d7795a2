import base64
import json

from infra.local.api.response import map_result


def test_full_answer_keeps_status_headers_and_body():
    # Given
    result = {"statusCode": 201, "headers": {"X-Id": "j-1"}, "body": '{"ok": true}'}

    # When
    response = map_result(result)

    # Then
    assert response.status == 201
    assert ("x-id", "j-1") in response.headers
    assert ("content-type", "application/json") in response.headers
    assert response.body == b'{"ok": true}'


def test_base64_body_is_decoded():
    # Given
    result = {
        "statusCode": 200,
        "headers": {"content-type": "application/octet-stream"},
        "body": base64.b64encode(b"\x00\x01").decode(),
        "isBase64Encoded": True,
    }

    # When
    response = map_result(result)

    # Then
    assert response.body == b"\x00\x01"


def test_cookies_become_set_cookie_headers():
    # Given
    result = {"statusCode": 204, "cookies": ["a=1", "b=2"]}

    # When
    response = map_result(result)

    # Then
    assert [value for name, value in response.headers if name == "set-cookie"] == ["a=1", "b=2"]


def test_bare_dict_becomes_a_200_json_body():
    # Given
    result = {"items": []}

    # When
    response = map_result(result)

    # Then
    assert response.status == 200
    assert json.loads(response.body) == {"items": []}


def test_bare_string_is_returned_as_is():
    # Given / When
    response = map_result("hello")

    # Then
    assert (response.status, response.body) == (200, b"hello")


def test_invalid_status_code_is_an_internal_server_error():
    # Given / When
    response = map_result({"statusCode": "abc"})

    # Then
    assert response.status == 500
    assert json.loads(response.body) == {"message": "Internal Server Error"}
