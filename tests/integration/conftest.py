"""`stack`: the resources of template.yaml, created in moto by the local runtime's provisioner."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from batchscore_core import adapters
from batchscore_core.adapters import clear_adapters
from batchscore_core.settings import get_settings
from batchscore_model.bundle_check import CheckedBundle, check_bundle
from infra.local.functions import read_function
from infra.local.moto_transactions import serialize_transactions
from infra.local.provision import CREATORS, passive, provision
from infra.local.provision.context import Created, ProvisionContext
from infra.local.seed_models import Registry, seed_models
from infra.local.template import StackTemplate
from tests.conftest import REGION
from tests.integration.moto_stack import ACCOUNT_ID, STACK_NAME, TEMPLATE, Queue, Stack

# Every function shares the Globals environment; this one has all of it.
ENVIRONMENT_OF = "ProcessFunction"
# No handler calls Cognito (the API's authorizer does): creating pools would only cost time.
NOT_CALLED_BY_HANDLERS = (
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolResourceServer",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolDomain",
)


def placeholder(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    return passive.skipped(logical_id, "not created for handler tests", ctx)


@functools.cache
def parsed_template() -> StackTemplate:
    """Parsed once per test process: the YAML does not change during a run."""
    return StackTemplate.load(TEMPLATE, stack_name=STACK_NAME, region=REGION, account_id=ACCOUNT_ID)


@functools.cache
def moto_client(service: str) -> Any:
    """One client per service for the whole run: moto intercepts every call while a mock is on,
    and building a botocore client costs more than most of the calls made with it."""
    return boto3.client(service, region_name=REGION)


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A fresh stack per test; the functions' environment variables are set as the template says."""
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    for resource_type in NOT_CALLED_BY_HANDLERS:
        monkeypatch.setitem(CREATORS, resource_type, placeholder)
    with mock_aws():
        template = parsed_template()
        provision(template, client=moto_client, api_url="http://127.0.0.1:3000")
        environment = read_function(template, ENVIRONMENT_OF).environment
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        clear_adapters()
        resolver = template.resolver

        def queue(logical_id: str) -> Queue:
            return Queue(
                url=str(resolver.ref(logical_id)), arn=str(resolver.get_att(logical_id, "Arn"))
            )

        yield Stack(
            region=REGION,
            environment=environment,
            table_name=str(resolver.ref("JobsTable")),
            idempotency_table_name=str(resolver.ref("IdempotencyTable")),
            bucket_name=str(resolver.ref("DataBucket")),
            ingest_queue=queue("IngestQueue"),
            ingest_dlq=queue("IngestDLQ"),
            jobs_queue=queue("JobsQueue"),
            jobs_dlq=queue("JobsDLQ"),
            s3=moto_client("s3"),
            sqs=moto_client("sqs"),
            dynamodb=boto3.resource("dynamodb", region_name=REGION),
        )
        get_settings.cache_clear()
        clear_adapters()


@functools.cache
def checked_seed(directory: Path) -> CheckedBundle:
    """A seed bundle's checks run once per test process (the bundles do not change)."""
    return check_bundle(directory)


@pytest.fixture
def registry(stack: Stack) -> Registry:
    """The stack's model registry, seeded as `make run` seeds it (models/seed.json)."""
    serialize_transactions()  # as the local emulator does: DynamoDB's transactions are atomic
    seeded = Registry(
        models=adapters.model_registry(),
        files=adapters.model_files(),
        events=adapters.model_events(),
    )
    seed_models(seeded, check=checked_seed)
    return seeded
