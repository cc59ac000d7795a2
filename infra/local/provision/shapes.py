"""Fit resolved template properties to a boto3 operation's input shape.

CloudFormation properties mostly mirror the API's parameters, but numbers and booleans often
arrive as strings and some properties have no API counterpart: those are dropped, one log line
each, so a template property never silently changes meaning.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.model import Shape

from infra.local.errors import TemplateError

log = logging.getLogger("infra.local")


def fit_to_operation(client: Any, operation: str, params: dict[str, Any], where: str) -> dict:
    shape = client.meta.service_model.operation_model(operation).input_shape
    fitted: dict[str, Any] = _fit(params, shape, where)
    return fitted


def _fit(value: Any, shape: Shape, where: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise TemplateError(f"{where}: expected a map, got {value!r}")
        members = shape.members  # type: ignore[attr-defined]
        fitted = {}
        for key, item in value.items():
            if key not in members:
                log.info("ignore %s.%s: the emulator's API has no such parameter", where, key)
                continue
            fitted[key] = _fit(item, members[key], f"{where}.{key}")
        return fitted
    if kind == "list":
        if not isinstance(value, list):
            raise TemplateError(f"{where}: expected a list, got {value!r}")
        member = shape.member  # type: ignore[attr-defined]
        return [_fit(item, member, f"{where}[{index}]") for index, item in enumerate(value)]
    if kind == "map":
        value_shape = shape.value  # type: ignore[attr-defined]
        return {key: _fit(item, value_shape, f"{where}.{key}") for key, item in value.items()}
    if kind in ("integer", "long"):
        return int(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "string":
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value
