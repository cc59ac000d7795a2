"""Listing the models under moto: the sparse index `models-by-name` reads MODEL items only,
however many versions, runs and drift records the table holds."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest

from batchscore_core.registry import LISTING, MODEL, ModelRegistry
from batchscore_core.registry_models import ModelNotFound
from infra.build.backfill_models import backfill
from infra.build.stage import Target
from infra.local.seed_models import Registry
from tests.integration.registry.registry_calls import call

DRIFT_RECORDS = 2_000


class ReadCounter:
    """Every DynamoDB read the resource's client makes: operation and items it evaluated."""

    def __init__(self, resource: Any) -> None:
        self.reads: list[tuple[str, int]] = []
        resource.meta.client.meta.events.register("after-call.dynamodb", self._count)

    def _count(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ("Query", "Scan"):
            self.reads.append((model.name, int(parsed.get("ScannedCount", 0))))
        elif model.name == "GetItem":
            self.reads.append((model.name, 1 if "Item" in parsed else 0))

    @property
    def items_read(self) -> int:
        return sum(count for _, count in self.reads)


@pytest.fixture
def table_name(registry: Registry) -> str:
    return registry.models.table_name


@pytest.fixture
def counted(table_name: str) -> tuple[ModelRegistry, ReadCounter]:
    resource = boto3.resource("dynamodb", region_name=os.environ.get("AWS_DEFAULT_REGION"))
    return ModelRegistry(table_name, resource), ReadCounter(resource)


def add_drift_records(table_name: str, model: str, count: int) -> None:
    table = boto3.resource("dynamodb").Table(table_name)
    with table.batch_writer() as batch:
        for n in range(count):
            batch.put_item(
                Item={
                    "name": model,
                    "sk": f"DRIFT#2026-12-01T10:{n // 60:02d}:{n % 60:02d}Z#{n:032x}",
                    "status": "ok",
                    "record": "{}",
                }
            )


def forget_listing(table_name: str, model: str) -> None:
    """The model item as one stored before the index existed."""
    boto3.resource("dynamodb").Table(table_name).update_item(
        Key={"name": model, "sk": MODEL}, UpdateExpression=f"REMOVE {LISTING}"
    )


def test_listing_reads_only_model_items_among_thousands_of_drift_records(
    table_name: str, counted: tuple[ModelRegistry, ReadCounter]
) -> None:
    # Given: the seeded registry (2 models, 3 versions) and 2,000 drift records of one model
    add_drift_records(table_name, "breast-cancer", DRIFT_RECORDS)
    models, counter = counted
    # When
    listed = models.list_models()
    # Then: both models, and the reads evaluated the two model items and nothing else
    assert [model.name for model in listed] == ["breast-cancer", "diabetes"]
    assert [operation for operation, _ in counter.reads] == ["Query"]
    assert counter.items_read == 2


def test_get_models_answers_from_the_index(table_name: str) -> None:
    # Given: drift records beside the models
    add_drift_records(table_name, "diabetes", 50)
    # When
    answer = call("GET", "/models")
    # Then
    assert answer.status == 200, answer.body
    assert [item["name"] for item in answer.body["items"]] == ["breast-cancer", "diabetes"]
    assert answer.body["items"][0]["aliases"]["challenger"]


def test_a_model_item_without_the_attribute_is_listed_after_the_backfill(
    table_name: str, counted: tuple[ModelRegistry, ReadCounter]
) -> None:
    # Given: diabetes stored before the index existed
    models, _ = counted
    forget_listing(table_name, "diabetes")
    assert [model.name for model in models.list_models()] == ["breast-cancer"]
    # When
    updated = models.backfill_listing()
    # Then: only the item that lacked it was written, and it is listed again
    assert updated == ["diabetes"]
    assert [model.name for model in models.list_models()] == ["breast-cancer", "diabetes"]
    assert models.backfill_listing() == []


def test_the_next_write_of_an_old_model_item_lists_it(
    table_name: str, registry: Registry, counted: tuple[ModelRegistry, ReadCounter]
) -> None:
    # Given: breast-cancer stored before the index existed
    models, _ = counted
    forget_listing(table_name, "breast-cancer")
    # When: its alias moves (a rollback of the challenger to the champion's version)
    record = models.get_model("breast-cancer")
    models.move_alias(
        "breast-cancer", "challenger", record.champion, by="test", reason="listed again"
    )
    # Then
    assert "breast-cancer" in [model.name for model in models.list_models()]


def test_setting_the_training_plan_lists_an_old_model_item(
    table_name: str, counted: tuple[ModelRegistry, ReadCounter]
) -> None:
    # Given
    models, _ = counted
    forget_listing(table_name, "diabetes")
    # When
    models.set_training("diabetes", {"label": "target"})
    # Then
    assert "diabetes" in [model.name for model in models.list_models()]


def test_an_unknown_model_names_the_listed_ones(
    counted: tuple[ModelRegistry, ReadCounter],
) -> None:
    # Given
    models, _ = counted
    # When
    with pytest.raises(ModelNotFound) as raised:
        models.get_model("tumor")
    # Then
    assert raised.value.known == ["breast-cancer", "diabetes"]


def test_the_deploy_backfill_lists_old_model_items_of_a_stage(table_name: str) -> None:
    # Given: a deployed stage whose model items predate the index
    forget_listing(table_name, "breast-cancer")
    forget_listing(table_name, "diabetes")
    stage = Target(
        stage="dev",
        stack_name="batchscore-dev",
        region=os.environ["AWS_DEFAULT_REGION"],
        outputs={"ModelsTableName": table_name},
        client=boto3.client,
    )
    # When
    updated = backfill(stage)
    # Then
    assert updated == ["breast-cancer", "diabetes"]
    assert [model.name for model in ModelRegistry(table_name).list_models()] == updated
