"""Each AWS::Serverless::Function as the local runtime runs it: code, layers, env, events."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from infra.local.errors import TemplateError
from infra.local.template import StackTemplate

log = logging.getLogger("infra.local")

_LAYER_TYPES = {"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"}


@dataclass(frozen=True)
class SqsSource:
    queue_arn: str
    batch_size: int
    report_batch_item_failures: bool


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str
    api_id: str
    authorizer: str | None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    handler: str
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    arn: str
    sqs_sources: tuple[SqsSource, ...] = ()
    http_routes: tuple[HttpRoute, ...] = field(default_factory=tuple)

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _layer_dir(stack: StackTemplate, function_id: str, layer: Any) -> Path | None:
    target = layer.get("Ref") if isinstance(layer, dict) else None
    resources = stack.document["Resources"]
    if target is None or resources.get(target, {}).get("Type") not in _LAYER_TYPES:
        log.info(
            "skip layer %r of %s: only the template's own layers are mounted", layer, function_id
        )
        return None
    props = resources[target].get("Properties") or {}
    content = props.get("ContentUri") or props.get("Content")
    if not isinstance(content, str):
        raise TemplateError(f"layer {target}: ContentUri must be a local directory to run locally")
    directory = (stack.root / content).resolve()
    # Lambda mounts a layer at /opt and puts /opt/python on sys.path.
    return directory / "python" if (directory / "python").is_dir() else directory


def _default_authorizer(stack: StackTemplate, api_id: str) -> str | None:
    api = stack.document["Resources"].get(api_id) or {}
    auth = (api.get("Properties") or {}).get("Auth") or {}
    default = auth.get("DefaultAuthorizer")
    return str(default) if default else None


def _http_route(stack: StackTemplate, properties: dict[str, Any]) -> HttpRoute:
    api_ref = properties.get("ApiId")
    api_id = api_ref["Ref"] if isinstance(api_ref, dict) else "ServerlessHttpApi"
    auth = properties.get("Auth") or {}
    authorizer = auth.get("Authorizer", _default_authorizer(stack, api_id))
    if authorizer == "NONE":
        authorizer = None
    return HttpRoute(
        method=str(properties.get("Method", "ANY")).upper(),
        path=str(properties.get("Path", "$default")),
        api_id=api_id,
        authorizer=authorizer,
        scopes=tuple(stack.resolver.resolve(auth.get("AuthorizationScopes") or [])),
    )


def _sqs_source(stack: StackTemplate, properties: dict[str, Any]) -> SqsSource:
    return SqsSource(
        queue_arn=str(stack.resolver.resolve(properties["Queue"])),
        batch_size=int(properties.get("BatchSize", 10)),
        report_batch_item_failures="ReportBatchItemFailures"
        in (properties.get("FunctionResponseTypes") or []),
    )


def read_function(stack: StackTemplate, logical_id: str) -> FunctionSpec:
    """The function's local spec; call after provisioning so every reference resolves."""
    body = stack.document["Resources"][logical_id]
    props = body.get("Properties") or {}
    code_uri = props.get("CodeUri")
    if not isinstance(code_uri, str) or "Handler" not in props:
        raise TemplateError(f"{logical_id}: needs a local CodeUri directory and a Handler")
    environment = stack.resolver.resolve((props.get("Environment") or {}).get("Variables") or {})
    layers = [_layer_dir(stack, logical_id, layer) for layer in props.get("Layers") or []]
    sqs_sources, http_routes = [], []
    for event_name, event in (props.get("Events") or {}).items():
        kind, properties = event.get("Type"), event.get("Properties") or {}
        if kind == "SQS" and str(properties.get("Enabled", True)).lower() == "false":
            log.info("skip event %s.%s: Enabled is false", logical_id, event_name)
        elif kind == "SQS":
            sqs_sources.append(_sqs_source(stack, properties))
        elif kind == "HttpApi":
            http_routes.append(_http_route(stack, properties))
        else:
            log.info("skip event %s.%s: type %s is not run locally", logical_id, event_name, kind)
    return FunctionSpec(
        logical_id=logical_id,
        name=str(stack.resolver.ref(logical_id)),
        handler=str(props["Handler"]),
        code_dir=(stack.root / code_uri).resolve(),
        layer_dirs=tuple(layer for layer in layers if layer is not None),
        environment={key: _text(value) for key, value in environment.items()},
        timeout_seconds=int(props.get("Timeout", 3)),
        memory_mb=int(props.get("MemorySize", 128)),
        arn=str(stack.resolver.get_att(logical_id, "Arn")),
        sqs_sources=tuple(sqs_sources),
        http_routes=tuple(http_routes),
    )


def read_functions(stack: StackTemplate) -> list[FunctionSpec]:
    return [
        read_function(stack, resource.logical_id)
        for resource in stack.resources()
        if resource.type == "AWS::Serverless::Function"
    ]


def capped_timeout(spec: FunctionSpec, max_seconds: int | None) -> FunctionSpec:
    """The spec with its Timeout at most `max_seconds` (None: as the template says)."""
    if max_seconds is None or spec.timeout_seconds <= max_seconds:
        return spec
    return replace(spec, timeout_seconds=max_seconds)
