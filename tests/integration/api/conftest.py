"""HTTP API tests: each test is a cold start of the status handler against its own moto stack."""

from __future__ import annotations

from collections.abc import Iterator

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
