"""Every test runs with fake AWS credentials and a region, never against a real account."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# One local stack per test process, shared by tests/e2e and tests/browser; how xdist's two
# workers share the suite (tests/suite_order.py).
pytest_plugins = ["tests.local_stack", "tests.suite_order"]

REGION = "us-east-1"

AWS_TEST_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_SERVICE_NAME": "batchscore",
    "POWERTOOLS_METRICS_NAMESPACE": "batchscore",
    "POWERTOOLS_TRACE_DISABLED": "true",
}

# Powertools' Logger and Metrics read their names when batchscore_core.observability is first
# imported: that happens at collection, before any fixture runs (and below, in this file).
for _name in (
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_TRACE_DISABLED",
):
    os.environ.setdefault(_name, AWS_TEST_ENV[_name])

from batchscore_core.adapters import clear_adapters  # noqa: E402
from batchscore_core.settings import get_settings  # noqa: E402


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and Powertools' names; settings and adapters rebuilt for each test."""
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    clear_adapters()
    yield
    get_settings.cache_clear()
    clear_adapters()
