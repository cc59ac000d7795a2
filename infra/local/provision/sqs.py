"""AWS::SQS::Queue and AWS::SQS::QueuePolicy in the emulator."""

from __future__ import annotations

import json
from typing import Any

from infra.local.provision.context import Created, ProvisionContext

_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


def _attribute_text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def create_queue(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    name = ctx.physical_name(logical_id, props.get("QueueName"))
    if props.get("FifoQueue") in (True, "true") and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {key: _attribute_text(props[key]) for key in _ATTRIBUTES if key in props}
    if ctx.visibility_timeout is not None:
        # Tests shorten the retry cycle; the template's value stays the default.
        attributes["VisibilityTimeout"] = str(ctx.visibility_timeout)
    sqs = ctx.client("sqs")
    tags = {tag["Key"]: str(tag["Value"]) for tag in props.get("Tags") or []}
    url = sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"]
    arn = ctx.arn("sqs", name)
    return Created(ref=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})


def apply_queue_policy(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    sqs = ctx.client("sqs")
    policy = json.dumps(props["PolicyDocument"])
    for url in props.get("Queues") or []:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return Created(ref=ctx.physical_name(logical_id), attributes={})
