"""Cognito user pool, its clients, resource servers, groups and domain in the emulator."""

from __future__ import annotations

from typing import Any

from infra.local.provision.context import Created, ProvisionContext
from infra.local.provision.shapes import fit_to_operation


def create_user_pool(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    params = dict(props)
    params["PoolName"] = ctx.physical_name(logical_id, params.pop("UserPoolName", None))
    cognito = ctx.client("cognito-idp")
    request = fit_to_operation(cognito, "CreateUserPool", params, logical_id)
    pool = cognito.create_user_pool(**request)["UserPool"]
    provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool['Id']}"
    return Created(
        ref=pool["Id"],
        attributes={
            "Arn": pool["Arn"],
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": pool["Id"],
        },
    )


def create_user_pool_client(
    logical_id: str, props: dict[str, Any], ctx: ProvisionContext
) -> Created:
    params = {**props, "ClientName": ctx.physical_name(logical_id, props.get("ClientName"))}
    cognito = ctx.client("cognito-idp")
    request = fit_to_operation(cognito, "CreateUserPoolClient", params, logical_id)
    client = cognito.create_user_pool_client(**request)["UserPoolClient"]
    attributes = {"ClientId": client["ClientId"], "Name": client["ClientName"]}
    if client.get("ClientSecret"):
        attributes["ClientSecret"] = client["ClientSecret"]
    return Created(ref=client["ClientId"], attributes=attributes)


def create_resource_server(
    logical_id: str, props: dict[str, Any], ctx: ProvisionContext
) -> Created:
    cognito = ctx.client("cognito-idp")
    request = fit_to_operation(cognito, "CreateResourceServer", props, logical_id)
    server = cognito.create_resource_server(**request)["ResourceServer"]
    return Created(ref=server["Identifier"], attributes={})


def create_group(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    params = {**props, "GroupName": ctx.physical_name(logical_id, props.get("GroupName"))}
    cognito = ctx.client("cognito-idp")
    request = fit_to_operation(cognito, "CreateGroup", params, logical_id)
    group = cognito.create_group(**request)["Group"]
    return Created(ref=group["GroupName"], attributes={})


def create_domain(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    cognito = ctx.client("cognito-idp")
    request = fit_to_operation(cognito, "CreateUserPoolDomain", props, logical_id)
    cognito.create_user_pool_domain(**request)
    return Created(
        ref=props["Domain"],
        attributes={"CloudFrontDistribution": f"{props['Domain']}.auth.local"},
    )
