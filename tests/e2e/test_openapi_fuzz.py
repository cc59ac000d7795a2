"""schemathesis against the local API's own `/openapi.json`, with a valid ID token: whatever
the schema allows (and requests that break it), no route answers a server error.

schemathesis' lazy pytest loader (`schemathesis.pytest.from_fixture`) does not work with
pytest 9 (it sets `Function._nodeid`), so one test walks the operations itself.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 20


def cases(operation: Any) -> st.SearchStrategy[Any]:
    """Valid requests and invalid ones (an operation with nothing to break gets valid ones)."""
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def operations(schema: Any) -> list[Any]:
    found = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"an operation of the schema is invalid: {result}"
        found.append(result.ok())
    return found


def fuzz(operation: Any, base_url: str, headers: dict[str, str]) -> None:
    @given(case=cases(operation))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case: Any) -> None:
        case.call_and_validate(
            base_url=base_url, headers=headers, checks=[not_a_server_error], timeout=60
        )

    no_server_error()


def test_no_operation_answers_a_server_error(local_stack):
    # Given the API's own schema and the demo user's ID token
    schema = schemathesis.openapi.from_url(f"{local_stack.api_url}/openapi.json")
    headers = {"Authorization": f"Bearer {local_stack.access_token()}"}
    every_operation = operations(schema)

    # When / Then: each operation, fuzzed, answers no 5xx (the first failure is shown, shrunk)
    for operation in every_operation:
        fuzz(operation, local_stack.api_url, headers)
    assert len(every_operation) >= 10
