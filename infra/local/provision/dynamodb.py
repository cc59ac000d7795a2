"""AWS::DynamoDB::Table and AWS::Serverless::SimpleTable in the emulator."""

from __future__ import annotations

import logging
from typing import Any

from infra.local.provision.context import Created, ProvisionContext
from infra.local.provision.shapes import fit_to_operation

log = logging.getLogger("infra.local")

_NOT_LOCAL = ("SSESpecification", "PointInTimeRecoverySpecification", "DeletionProtectionEnabled")


def create_table(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    params = dict(props)
    name = ctx.physical_name(logical_id, params.pop("TableName", None))
    ttl = params.pop("TimeToLiveSpecification", None)
    stream = params.pop("StreamSpecification", None)
    for key in _NOT_LOCAL:
        if params.pop(key, None) is not None:
            log.info("ignore %s.%s: not needed locally", logical_id, key)
    if stream:
        params["StreamSpecification"] = {"StreamEnabled": True, **stream}
    if "BillingMode" not in params and "ProvisionedThroughput" not in params:
        params["BillingMode"] = "PAY_PER_REQUEST"
    dynamodb = ctx.client("dynamodb")
    request = fit_to_operation(dynamodb, "CreateTable", {**params, "TableName": name}, logical_id)
    description = dynamodb.create_table(**request)["TableDescription"]
    if ttl and str(ttl.get("Enabled", "")).lower() == "true":
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    return Created(
        ref=name,
        attributes={
            "Arn": description["TableArn"],
            "StreamArn": description.get("LatestStreamArn", f"{description['TableArn']}/stream"),
        },
    )


def create_simple_table(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    attribute_type = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
    table = {
        "TableName": props.get("TableName"),
        "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": attribute_type}],
        "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
    }
    return create_table(logical_id, table, ctx)
