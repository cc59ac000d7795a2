"""`Idempotency-Key` on POST /jobs: a retried request finds the job the first one created."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from batchscore_core.models import Job

# The key is the caller plus its header value; the request body must match on a replay.
_CONFIG = IdempotencyConfig(
    expires_after_seconds=3600,
    event_key_jmespath="[owner, key]",
    payload_validation_jmespath="request",
    raise_on_no_idempotency_key=True,
)


def _create_job(*, command: dict[str, Any], create: Callable[[], Job]) -> dict[str, str]:
    return {"job_id": create().job_id}


@lru_cache(maxsize=4)
def idempotent_creator(table_name: str) -> Callable[..., dict[str, str]]:
    persistence = DynamoDBPersistenceLayer(table_name=table_name)
    once: Callable[..., dict[str, str]] = idempotent_function(
        _create_job,
        data_keyword_argument="command",
        persistence_store=persistence,
        config=_CONFIG,
        key_prefix="create-job",
    )
    return once


def create_once(
    create: Callable[[], Job],
    *,
    table_name: str,
    owner: str,
    key: str,
    request: dict[str, Any],
    lambda_context: LambdaContext,
) -> str:
    """Run `create` the first time (owner, key) is seen; answer the id of the job it made."""
    _CONFIG.register_lambda_context(lambda_context)
    command = {"owner": owner, "key": key, "request": request}
    return idempotent_creator(table_name)(command=command, create=create)["job_id"]
