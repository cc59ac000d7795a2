"""SAM `Globals`: merged into each resource of the matching serverless type, as SAM does."""

from __future__ import annotations

import copy
from typing import Any

_GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "HttpApi": "AWS::Serverless::HttpApi",
    "Api": "AWS::Serverless::Api",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def merge_global(global_value: Any, local_value: Any) -> Any:
    """SAM's rules: maps merge key by key, lists are global + local, otherwise local wins."""
    if _is_intrinsic(global_value) or _is_intrinsic(local_value):
        return local_value
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = dict(global_value)
        for key, value in local_value.items():
            merged[key] = merge_global(global_value[key], value) if key in merged else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return [*global_value, *local_value]
    return local_value


def apply_globals(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of `template` whose serverless resources carry their Globals."""
    merged = copy.deepcopy(template)
    sections = merged.pop("Globals", None) or {}
    for section, properties in sections.items():
        resource_type = _GLOBAL_SECTIONS.get(section)
        if resource_type is None:
            continue
        for resource in merged["Resources"].values():
            if isinstance(resource, dict) and resource.get("Type") == resource_type:
                resource["Properties"] = merge_global(
                    copy.deepcopy(properties), resource.get("Properties") or {}
                )
    return merged
