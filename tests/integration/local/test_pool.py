import dataclasses
import json
import time
from collections.abc import Iterator

import pytest

from infra.local.emulator import Emulator
from infra.local.errors import HandlerError
from infra.local.functions import read_function
from infra.local.pool import FunctionPool, worker_environment
from infra.local.template import StackTemplate


def http_event(path: str, **query: str) -> dict:
    return {
        "rawPath": path,
        "routeKey": f"GET {path}",
        "queryStringParameters": query or None,
        "requestContext": {},
    }


@pytest.fixture
def http_pool(fixture_stack: StackTemplate, emulator: Emulator) -> Iterator[FunctionPool]:
    """HttpFunction with a one-second Timeout, in one worker."""
    spec = dataclasses.replace(read_function(fixture_stack, "HttpFunction"), timeout_seconds=1)
    pool = FunctionPool(spec, worker_environment(spec, {"AWS_ENDPOINT_URL": emulator.url}), 1)
    pool.start()
    yield pool
    pool.stop()


def test_a_worker_that_exits_is_replaced(http_pool: FunctionPool):
    # Given
    with pytest.raises(HandlerError):
        http_pool.invoke(http_event("/exit"))

    # When
    answer = http_pool.invoke(http_event("/public"))

    # Then
    assert answer["statusCode"] == 200


def test_an_invocation_past_the_timeout_is_stopped(http_pool: FunctionPool):
    # Given
    started = time.monotonic()

    # When
    with pytest.raises(HandlerError) as error:
        http_pool.invoke(http_event("/sleep", seconds="5"))

    # Then
    assert error.value.error_type == "Sandbox.Timedout"
    assert time.monotonic() - started < 4


def test_the_handler_sees_the_functions_environment(http_pool: FunctionPool):
    # Given
    event = http_event("/public")

    # When
    answer = http_pool.invoke(event)

    # Then
    assert json.loads(answer["body"])["env"]["STAGE"] == "local"
