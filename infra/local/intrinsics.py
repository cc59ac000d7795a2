"""Resolve CloudFormation intrinsic functions, conditions and parameters for the local stack."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from infra.local.errors import TemplateError, UnresolvedReference

NO_VALUE = object()
"""What `!Ref AWS::NoValue` resolves to; removed from the maps and lists that hold it."""

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class Resolver:
    """Turns template values into plain values once the resources they name have ids."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        stack_name: str,
        region: str,
        account_id: str,
        parameter_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self._template = template
        self._mappings: dict[str, Any] = dict(template.get("Mappings") or {})
        self._pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.parameters = self._read_parameters(dict(parameter_overrides or {}))
        self._refs: dict[str, Any] = {}
        self._attributes: dict[str, Mapping[str, Any]] = {}
        self._conditions: dict[str, bool] = {}

    # ---- physical ids, recorded as resources are created
    def set_physical(
        self, logical_id: str, ref: Any, attributes: Mapping[str, Any] | None = None
    ) -> None:
        self._refs[logical_id] = ref
        self._attributes[logical_id] = attributes if attributes is not None else {}

    def ref(self, name: str) -> Any:
        if name in self._pseudo:
            return self._pseudo[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name in self._refs:
            return self._refs[name]
        if name in self._template.get("Resources", {}):
            raise UnresolvedReference(name)
        raise TemplateError(
            f"!Ref {name}: no parameter, resource or pseudo parameter has this name"
        )

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id not in self._attributes:
            if logical_id in self._template.get("Resources", {}):
                raise UnresolvedReference(logical_id)
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: no resource has this name")
        attributes = self._attributes[logical_id]
        try:
            return attributes[attribute]
        except KeyError:
            known = ", ".join(sorted(attributes)) or "none"
            raise TemplateError(
                f"!GetAtt {logical_id}.{attribute}: the local runtime knows only: {known}"
            ) from None

    # ---- parameters and conditions
    def _read_parameters(self, overrides: dict[str, str]) -> dict[str, Any]:
        declared: dict[str, Any] = dict(self._template.get("Parameters") or {})
        unknown = sorted(set(overrides) - set(declared))
        if unknown:
            raise TemplateError(
                f"parameter override(s) {', '.join(unknown)} not declared in the template's "
                "Parameters"
            )
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            if name in overrides:
                raw: Any = overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                raise TemplateError(
                    f"parameter {name} has no Default: pass it with --parameter {name}=<value>"
                )
            allowed = spec.get("AllowedValues")
            if allowed is not None and str(raw) not in [str(value) for value in allowed]:
                raise TemplateError(f"parameter {name}={raw!r} is not one of {allowed}")
            is_list = str(spec.get("Type", "")).startswith(("CommaDelimitedList", "List<"))
            if is_list and isinstance(raw, str):
                raw = [item.strip() for item in raw.split(",")]
            pattern = spec.get("AllowedPattern")
            for item in raw if isinstance(raw, list) else [raw]:
                if pattern is not None and not re.fullmatch(pattern, str(item)):
                    raise TemplateError(f"parameter {name}={item!r} does not match {pattern}")
            values[name] = raw if isinstance(raw, list) else str(raw)
        return values

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            declared = self._template.get("Conditions") or {}
            if name not in declared:
                raise TemplateError(f"condition {name} is not declared in Conditions")
            self._conditions[name] = self._evaluate_condition(declared[name])
        return self._conditions[name]

    def _evaluate_condition(self, value: Any) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            function, arguments = next(iter(value.items()))
            if function == "Condition":
                return self.condition(arguments)
            if function == "Fn::Equals":
                left, right = (self.resolve(argument) for argument in arguments)
                return str(left) == str(right)
            if function == "Fn::And":
                return all(self._evaluate_condition(argument) for argument in arguments)
            if function == "Fn::Or":
                return any(self._evaluate_condition(argument) for argument in arguments)
            if function == "Fn::Not":
                return not self._evaluate_condition(arguments[0])
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return resolved
        raise TemplateError(f"cannot evaluate condition {value!r}")

    # ---- values
    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function replaced by its local value."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            function, arguments = next(iter(value.items()))
            if function == "Ref" or function.startswith("Fn::"):
                return self._call(function, arguments)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _call(self, function: str, arguments: Any) -> Any:
        handlers = {
            "Ref": lambda: self.ref(self.resolve(arguments)),
            "Fn::GetAtt": lambda: self._get_att(arguments),
            "Fn::Sub": lambda: self._sub(arguments),
            "Fn::Join": lambda: self._join(arguments),
            "Fn::Select": lambda: self._select(arguments),
            "Fn::Split": lambda: self._split(arguments),
            "Fn::If": lambda: self._if(arguments),
            "Fn::Equals": lambda: self._evaluate_condition({function: arguments}),
            "Fn::And": lambda: self._evaluate_condition({function: arguments}),
            "Fn::Or": lambda: self._evaluate_condition({function: arguments}),
            "Fn::Not": lambda: self._evaluate_condition({function: arguments}),
            "Fn::FindInMap": lambda: self._find_in_map(arguments),
            "Fn::Base64": lambda: base64.b64encode(str(self.resolve(arguments)).encode()).decode(),
            "Fn::GetAZs": lambda: [f"{self.region}{zone}" for zone in "abc"],
            "Fn::ToJsonString": lambda: json.dumps(self.resolve(arguments)),
            "Fn::Length": lambda: len(self.resolve(arguments)),
        }
        if function not in handlers:
            raise TemplateError(
                f"{function} is not supported by the local runtime (infra/local/intrinsics.py)"
            )
        return handlers[function]()

    def _get_att(self, arguments: Any) -> Any:
        resolved = self.resolve(arguments)
        if isinstance(resolved, str):
            resolved = resolved.split(".", 1)
        logical_id, attribute = resolved
        return self.get_att(logical_id, attribute)

    def _sub(self, arguments: Any) -> str:
        if isinstance(arguments, list):
            text, variables = arguments[0], self.resolve(arguments[1])
        else:
            text, variables = arguments, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(replace, text)

    def _join(self, arguments: Any) -> str:
        delimiter, items = arguments
        return str(delimiter).join(str(item) for item in self.resolve(items))

    def _select(self, arguments: Any) -> Any:
        index, items = self.resolve(arguments)
        return items[int(index)]

    def _split(self, arguments: Any) -> list[str]:
        delimiter, text = self.resolve(arguments)
        return str(text).split(delimiter)

    def _if(self, arguments: Any) -> Any:
        name, when_true, when_false = arguments
        return self.resolve(when_true if self.condition(name) else when_false)

    def _find_in_map(self, arguments: Any) -> Any:
        name, top, second = self.resolve(arguments)
        try:
            return self._mappings[name][top][second]
        except KeyError as exc:
            raise TemplateError(f"Fn::FindInMap {name}/{top}/{second}: no such entry") from exc


def references(value: Any) -> set[str]:
    """Names (resources or parameters) that `value` refers to through Ref, GetAtt or Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                target = item.split(".", 1)[0] if isinstance(item, str) else item[0]
                if isinstance(target, str):
                    found.add(target)
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) else item
                local = set(item[1]) if isinstance(item, list) else set()
                for name in _SUB_VARIABLE.findall(text):
                    if not name.startswith("!") and name not in local:
                        found.add(name.split(".", 1)[0])
                if isinstance(item, list):
                    found |= references(item[1])
            else:
                found |= references(item)
    return found
