"""The emulator gap in infra.local.moto_transactions: the emulator's DynamoDB is atomic as
DynamoDB is, over HTTP from several threads as the Lambda workers reach it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local.emulator import Emulator
from infra.local.ports import free_port
from infra.local.settings import LOCAL_CREDENTIAL
from tests.conftest import REGION

WRITES = 200
FILLER = 300  # a table worth copying: moto's copy before each transaction takes a while


@pytest.fixture
def table() -> Iterator[Any]:
    emulator = Emulator("127.0.0.1", free_port(), REGION)
    emulator.start()
    try:
        dynamodb = boto3.resource(
            "dynamodb",
            endpoint_url=emulator.url,
            region_name=REGION,
            aws_access_key_id=LOCAL_CREDENTIAL,
            aws_secret_access_key=LOCAL_CREDENTIAL,
        )
        created = dynamodb.create_table(
            TableName="race",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        created.put_item(Item={"pk": "guard", "revision": 0})
        with created.batch_writer() as batch:
            for number in range(FILLER):
                batch.put_item(Item={"pk": f"filler-{number}"})
        yield created
    finally:
        emulator.stop()


def failing_transactions(client: Any, stop: threading.Event, errors: list[str]) -> None:
    """Transactions that always fail: moto restores the table it copied before each one."""
    while not stop.is_set():
        try:
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "race", "Item": {"pk": {"S": "never"}}}},
                    {
                        "ConditionCheck": {
                            "TableName": "race",
                            "Key": {"pk": {"S": "guard"}},
                            "ConditionExpression": "revision = :other",
                            "ExpressionAttributeValues": {":other": {"N": "-1"}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            errors.append(exc.response["Error"]["Code"])


def scan(table: Any) -> set[str]:
    page = table.scan(ConsistentRead=True)
    keys = {item["pk"] for item in page["Items"]}
    while "LastEvaluatedKey" in page:
        page = table.scan(ConsistentRead=True, ExclusiveStartKey=page["LastEvaluatedKey"])
        keys |= {item["pk"] for item in page["Items"]}
    return keys


def test_a_failing_transaction_never_undoes_a_write_that_landed_beside_it(table: Any) -> None:
    # Given transactions failing (and rolling back) on another thread without pause
    stop = threading.Event()
    errors: list[str] = []
    client = table.meta.client
    rollbacks = threading.Thread(target=failing_transactions, args=(client, stop, errors))
    rollbacks.start()

    # When plain writes land on the same table meanwhile
    try:
        for number in range(WRITES):
            table.put_item(Item={"pk": f"item-{number}"})
    finally:
        stop.set()
        rollbacks.join(timeout=60)

    # Then every write is still there, every transaction was cancelled by its condition (none
    # broke), and none left anything behind
    keys = scan(table)
    assert [n for n in range(WRITES) if f"item-{n}" not in keys] == []
    assert errors
    assert set(errors) == {"TransactionCanceledException"}
    assert "never" not in keys
