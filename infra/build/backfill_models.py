"""`python -m infra.build.backfill_models --stage dev|prod`: list every model in the index.

`GET /models` queries ModelsTable's sparse index `models-by-name`, which holds the MODEL items
that carry `listing`. Items written before the index existed lack it until their next write;
this gives it to all of them at once (one scan of the table, run once after the deploy that added
the index; running it again changes nothing). The local runtime does the same when it seeds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3

from batchscore_core.registry import ModelRegistry
from infra.build.stage import Target
from infra.build.stage_stack import stage_stack


def backfill(stack: Target, resource: Any | None = None) -> list[str]:
    """The names of the models given the attribute."""
    table = str(stack.outputs["ModelsTableName"])
    dynamodb = resource or boto3.resource("dynamodb", region_name=stack.region)
    return ModelRegistry(table, dynamodb).backfill_listing()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="dev or prod (samconfig.toml)")
    args = parser.parse_args(argv)
    stack = stage_stack(args.stage, "backfill_models", "the local runtime backfills when it starts")
    if stack is None:
        return 1
    updated = backfill(stack)
    print(f"{stack.stack_name}: {len(updated)} model item(s) listed: {', '.join(updated) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
