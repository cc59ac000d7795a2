from infra.local.api.cors import CorsConfig
from infra.local.api.routes import RouteTable
from infra.local.functions import HttpRoute


def route(method: str, path: str) -> HttpRoute:
    return HttpRoute(method=method, path=path, api_id="HttpApi", authorizer=None)


TABLE = RouteTable(
    [
        (route("GET", "/jobs/{job_id}"), "StatusFunction"),
        (route("GET", "/jobs/{job_id}/result"), "StatusFunction"),
        (route("GET", "/jobs/special"), "SpecialFunction"),
        (route("ANY", "/files/{proxy+}"), "FilesFunction"),
    ]
)


def test_path_parameters_are_extracted():
    # Given / When
    match = TABLE.match("GET", "/jobs/j-1/result")

    # Then
    assert match is not None
    assert match.route_key == "GET /jobs/{job_id}/result"
    assert match.path_parameters == {"job_id": "j-1"}


def test_literal_segment_wins_over_a_parameter():
    # Given / When
    match = TABLE.match("GET", "/jobs/special")

    # Then
    assert match is not None
    assert match.function == "SpecialFunction"


def test_greedy_parameter_takes_the_rest_of_the_path():
    # Given / When
    match = TABLE.match("DELETE", "/files/a/b/c.csv")

    # Then
    assert match is not None
    assert match.path_parameters == {"proxy": "a/b/c.csv"}


def test_wrong_method_does_not_match():
    # Given / When
    match = TABLE.match("POST", "/jobs/j-1")

    # Then
    assert match is None


CORS = CorsConfig.from_template(
    {
        "AllowOrigins": ["http://127.0.0.1:8080"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["authorization", "content-type"],
        "MaxAge": 600,
    }
)


def test_preflight_from_an_allowed_origin_lists_methods_and_headers():
    # Given
    assert CORS is not None

    # When
    headers = dict(CORS.preflight("http://127.0.0.1:8080", "POST", "authorization"))

    # Then
    assert headers == {
        "access-control-allow-origin": "http://127.0.0.1:8080",
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "authorization,content-type",
        "access-control-max-age": "600",
    }


def test_preflight_from_another_origin_gets_no_cors_headers():
    # Given
    assert CORS is not None

    # When
    headers = CORS.preflight("http://evil.example", "POST", None)

    # Then
    assert headers == []
