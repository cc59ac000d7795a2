"""The template as the local runtime sees it: Globals merged, resources in creation order."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from infra.local.cfn_yaml import load_template
from infra.local.errors import TemplateError
from infra.local.globals_merge import apply_globals
from infra.local.intrinsics import Resolver, references

log = logging.getLogger("infra.local")


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    depends_on: frozenset[str] = field(default_factory=frozenset)


@dataclass
class StackTemplate:
    """A parsed template plus the resolver that holds the local stack's physical ids."""

    path: Path
    document: dict[str, Any]
    resolver: Resolver
    _resources: list[Resource] | None = None

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        stack_name: str,
        region: str,
        account_id: str,
        parameter_overrides: dict[str, str] | None = None,
    ) -> StackTemplate:
        document = apply_globals(load_template(path))
        _drop_foreach(document)
        resolver = Resolver(
            document,
            stack_name=stack_name,
            region=region,
            account_id=account_id,
            parameter_overrides=parameter_overrides,
        )
        return cls(path=path, document=document, resolver=resolver)

    @property
    def root(self) -> Path:
        """Paths in the template (CodeUri, ContentUri) are relative to its directory."""
        return self.path.parent

    def resources(self) -> list[Resource]:
        """Resources whose Condition holds, each after everything it refers to."""
        if self._resources is None:
            self._resources = self._ordered_resources()
        return self._resources

    def _ordered_resources(self) -> list[Resource]:
        declared: dict[str, Any] = self.document["Resources"]
        active: dict[str, Resource] = {}
        for logical_id, body in declared.items():
            condition = body.get("Condition")
            if condition is not None and not self.resolver.condition(condition):
                log.info("skip %s: condition %s is false", logical_id, condition)
                continue
            depends_on = body.get("DependsOn") or []
            if isinstance(depends_on, str):
                depends_on = [depends_on]
            active[logical_id] = Resource(
                logical_id=logical_id,
                type=body["Type"],
                properties=dict(body.get("Properties") or {}),
                depends_on=frozenset(depends_on),
            )
        graph = {
            logical_id: (references(resource.properties) | resource.depends_on) & set(active)
            for logical_id, resource in active.items()
        }
        try:
            order = list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            raise TemplateError(f"reference cycle between resources: {exc.args[1]}") from exc
        return [active[logical_id] for logical_id in order]

    def outputs(self) -> dict[str, Any]:
        return dict(self.document.get("Outputs") or {})


def _drop_foreach(document: dict[str, Any]) -> None:
    """`Fn::ForEach` (AWS::LanguageExtensions) is not expanded locally: say so and skip it."""
    for section in ("Resources", "Outputs", "Conditions"):
        block = document.get(section) or {}
        for key in [key for key in block if key.startswith("Fn::ForEach::")]:
            log.warning(
                "skip %s.%s: Fn::ForEach is not expanded by the local runtime", section, key
            )
            del block[key]
