from infra.local.emulator import Emulator
from infra.local.template import StackTemplate
from infra.local.ttl_sweeper import TtlSweeper

NOW = 1_800_000_000


def test_sweep_deletes_only_expired_items(fixture_stack: StackTemplate, emulator: Emulator):
    # Given
    table = str(fixture_stack.resolver.ref("JobsTable"))
    dynamodb = emulator.client("dynamodb")
    for job_id, expires_at in (("old", NOW - 1), ("new", NOW + 60)):
        dynamodb.put_item(
            TableName=table,
            Item={"job_id": {"S": job_id}, "expires_at": {"N": str(expires_at)}},
        )
    dynamodb.put_item(TableName=table, Item={"job_id": {"S": "no-ttl"}})

    # When
    deleted = TtlSweeper(dynamodb, [table]).sweep_once(now=NOW)

    # Then
    remaining = {item["job_id"]["S"] for item in dynamodb.scan(TableName=table)["Items"]}
    assert (deleted, remaining) == (1, {"new", "no-ttl"})
