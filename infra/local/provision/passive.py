"""Resources the runtime plays itself (functions, layers, APIs) or that need nothing locally."""

from __future__ import annotations

import logging
from typing import Any

from infra.local.provision.context import Created, ProvisionContext

log = logging.getLogger("infra.local")

LOCAL_API_ID = "local"


class _Placeholder(dict[str, Any]):
    """`!GetAtt` on a resource that is not created locally gives a readable placeholder."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def __missing__(self, attribute: str) -> str:
        return f"{self._name}.{attribute}"


def function(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    name = ctx.physical_name(logical_id, ctx.resolver.resolve(props.get("FunctionName")))
    return Created(ref=name, attributes={"Arn": ctx.arn("lambda", f"function:{name}")})


def layer(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    name = ctx.physical_name(logical_id, ctx.resolver.resolve(props.get("LayerName")))
    return Created(ref=ctx.arn("lambda", f"layer:{name}:1"), attributes={})


def http_api(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    return Created(ref=LOCAL_API_ID, attributes={"ApiEndpoint": ctx.api_url, "ApiId": "local"})


def event_bus(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    name = ctx.physical_name(logical_id, props.get("Name"))
    events = ctx.client("events")
    arn = events.create_event_bus(Name=name)["EventBusArn"]
    return Created(ref=name, attributes={"Arn": arn, "Name": name})


def skipped(logical_id: str, resource_type: str, ctx: ProvisionContext) -> Created:
    log.info("skip %s (%s): not needed by the handlers locally", logical_id, resource_type)
    name = ctx.physical_name(logical_id)
    attributes = _Placeholder(name)
    attributes["Arn"] = f"arn:aws:local:{ctx.region}:{ctx.account_id}:{name}"
    return Created(ref=name, attributes=attributes)
