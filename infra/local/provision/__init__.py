"""Create in the emulator every resource template.yaml declares that the handlers use."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from infra.local.errors import TemplateError
from infra.local.provision import cognito, dynamodb, passive, s3, sqs
from infra.local.provision.context import Created, ProvisionContext
from infra.local.template import StackTemplate

log = logging.getLogger("infra.local")

Creator = Callable[[str, dict[str, Any], ProvisionContext], Created]

CREATORS: dict[str, Creator] = {
    "AWS::S3::Bucket": s3.create_bucket,
    "AWS::SQS::Queue": sqs.create_queue,
    "AWS::SQS::QueuePolicy": sqs.apply_queue_policy,
    "AWS::DynamoDB::Table": dynamodb.create_table,
    "AWS::Serverless::SimpleTable": dynamodb.create_simple_table,
    "AWS::Cognito::UserPool": cognito.create_user_pool,
    "AWS::Cognito::UserPoolClient": cognito.create_user_pool_client,
    "AWS::Cognito::UserPoolResourceServer": cognito.create_resource_server,
    "AWS::Cognito::UserPoolGroup": cognito.create_group,
    "AWS::Cognito::UserPoolDomain": cognito.create_domain,
    "AWS::Events::EventBus": passive.event_bus,
    "AWS::Serverless::Function": passive.function,
    "AWS::Lambda::Function": passive.function,
    "AWS::Serverless::LayerVersion": passive.layer,
    "AWS::Lambda::LayerVersion": passive.layer,
    "AWS::Serverless::HttpApi": passive.http_api,
}

# Function properties are resolved later, per worker: code paths and events are not AWS calls.
_UNRESOLVED = {"AWS::Serverless::Function", "AWS::Serverless::LayerVersion"}


def provision(
    stack: StackTemplate,
    client: Callable[[str], Any],
    api_url: str,
    visibility_timeout: int | None = None,
) -> dict[str, Created]:
    """Create the stack's resources in dependency order; their ids land in `stack.resolver`."""
    ctx = ProvisionContext(
        resolver=stack.resolver,
        client=client,
        api_url=api_url,
        visibility_timeout=visibility_timeout,
    )
    created: dict[str, Created] = {}
    for resource in stack.resources():
        creator = CREATORS.get(resource.type)
        if creator is None:
            result = passive.skipped(resource.logical_id, resource.type, ctx)
        else:
            props = (
                resource.properties
                if resource.type in _UNRESOLVED
                else stack.resolver.resolve(resource.properties)
            )
            try:
                result = creator(resource.logical_id, props, ctx)
            except ClientError as exc:
                raise TemplateError(
                    f"{resource.logical_id} ({resource.type}): the emulator refused it: {exc}"
                ) from exc
            log.debug("created %s (%s): %s", resource.logical_id, resource.type, result.ref)
        stack.resolver.set_physical(resource.logical_id, result.ref, result.attributes)
        created[resource.logical_id] = result
    return created
