"""schemathesis against the local API's own `/openapi.json`, with a valid ID token: whatever
the schema allows (and a little that it does not), no route answers a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def api_schema(local_stack) -> Any:
    return schemathesis.openapi.from_url(f"{local_stack.api_url}/openapi.json")


@pytest.fixture(scope="module")
def id_token_header(local_stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {local_stack.id_token()}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, local_stack, id_token_header):
    # Given a request generated from the operation's schema, sent with the demo user's token
    # When / Then
    case.call_and_validate(
        base_url=local_stack.api_url,
        headers=id_token_header,
        checks=[not_a_server_error],
        timeout=60,
    )
