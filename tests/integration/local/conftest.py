"""A real moto server on a free port, and the fixture template's stack created in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.emulator import Emulator
from infra.local.functions import read_function
from infra.local.pool import FunctionPool, worker_environment
from infra.local.ports import free_port
from infra.local.provision import provision
from infra.local.template import StackTemplate

FIXTURE_TEMPLATE = Path(__file__).parents[2] / "unit" / "local" / "fixtures" / "template.yaml"
REAL_TEMPLATE = Path(__file__).parents[3] / "template.yaml"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    server = Emulator("127.0.0.1", free_port(), REGION)
    server.start()
    yield server
    server.stop()


def load_stack(template: Path) -> StackTemplate:
    """A stack with a name of its own, so tests sharing the emulator never share resources."""
    return StackTemplate.load(
        template,
        stack_name=f"t-{uuid.uuid4().hex[:8]}",
        region=REGION,
        account_id="123456789012",
    )


@pytest.fixture
def fixture_stack(emulator: Emulator) -> StackTemplate:
    stack = load_stack(FIXTURE_TEMPLATE)
    provision(stack, emulator.client, "http://127.0.0.1:3000", visibility_timeout=1)
    return stack


@pytest.fixture
def worker_pool(fixture_stack: StackTemplate, emulator: Emulator) -> Iterator[FunctionPool]:
    """WorkerFunction's handler in one worker process, pointed at the emulator."""
    spec = read_function(fixture_stack, "WorkerFunction")
    aws_env = {
        "AWS_ENDPOINT_URL": emulator.url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    pool = FunctionPool(spec, worker_environment(spec, aws_env), concurrency=1)
    pool.start()
    yield pool
    pool.stop()
