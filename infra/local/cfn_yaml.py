"""Load a CloudFormation/SAM YAML template, turning short-form tags into long-form dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class TemplateLoader(yaml.SafeLoader):
    """A SafeLoader that knows the CloudFormation short-form tags (`!Ref`, `!Sub`, ...)."""


def _long_form(function: str, node: yaml.Node, loader: yaml.SafeLoader) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if function == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    if function == "Condition":
        return {"Condition": value}
    return {function: value}


_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "Sub",
            "GetAtt",
            "Join",
            "Select",
            "Split",
            "If",
            "Equals",
            "And",
            "Or",
            "Not",
            "FindInMap",
            "Base64",
            "GetAZs",
            "ImportValue",
            "Cidr",
            "Length",
            "ToJsonString",
        )
    },
}

for _tag, _function in _TAGS.items():
    TemplateLoader.add_constructor(
        f"!{_tag}",
        lambda loader, node, function=_function: _long_form(function, node, loader),
    )


def load_template(path: Path) -> dict[str, Any]:
    """Parse `path` into plain dicts and lists, intrinsic functions in long form."""
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=TemplateLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(document, dict) or "Resources" not in document:
        raise ValueError(f"{path} is not a CloudFormation template: no top-level Resources")
    return document
