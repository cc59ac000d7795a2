"""HTTP API tests: each test is a cold start of the status handler against its own moto stack."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import boto3
import pytest
import status_idempotency
import status_info

from batchscore_core import adapters
from batchscore_core.observability import metrics
from batchscore_core.store import JobStore
from infra.local.seed_models import Registry
from tests.integration.api.api_calls import Api
from tests.integration.moto_stack import Stack


@pytest.fixture(autouse=True)
def fresh_container(
    stack: Stack, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stack]:
    """Each test is a cold start against its own moto stack."""
    # Metrics reads its namespace when first imported, possibly before any fixture set the env.
    monkeypatch.setattr(metrics, "namespace", "batchscore")
    status_info.version_info.cache_clear()
    status_idempotency.idempotent_creator.cache_clear()
    yield stack
    status_idempotency.idempotent_creator.cache_clear()


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def jobs() -> JobStore:
    """The same JobsTable the handler uses, to arrange and check jobs directly."""
    return adapters.job_store()


@pytest.fixture
def webhook_secrets(stack: Stack) -> Callable[..., None]:
    """Register per-owner webhook signing secrets in the template's SSM parameter."""

    def register(*owners: str) -> None:
        boto3.client("ssm").put_parameter(
            Name=stack.environment["WEBHOOK_SECRETS_PARAMETER"],
            Type="SecureString",
            Value=json.dumps({owner: f"secret-of-{owner}" for owner in owners}),
            Overwrite=True,
        )

    return register
