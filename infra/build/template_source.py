"""Read a SAM template with the line and column of every mapping and key, as cfn-lint does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode import decode

from infra.build.problems import Problem


class TemplateUnreadable(Exception):
    """The template cannot be parsed; `problems` say where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Template:
    """A parsed template (plain dicts and lists carrying cfn-lint's marks) and its path."""

    path: Path
    body: Mapping[str, Any]

    def resources(self, resource_type: str) -> dict[str, Mapping[str, Any]]:
        """Logical id -> resource, for every resource of `resource_type`."""
        return {
            name: resource
            for name, resource in (self.body.get("Resources") or {}).items()
            if isinstance(resource, Mapping) and resource.get("Type") == resource_type
        }

    def problem(
        self,
        check: str,
        subject: str,
        message: str,
        node: Any = None,
        key: str | None = None,
    ) -> Problem:
        """A Problem about `subject`, located at `node[key]` (or `node`, or the file's start)."""
        line, column = locate(node, key)
        return Problem(str(self.path), line, column, check, message, subject)


def load_template(path: Path) -> Template:
    """Parse `path`; raise TemplateUnreadable with cfn-lint's parse errors."""
    body, matches = decode(str(path))
    if matches or not isinstance(body, Mapping):
        raise TemplateUnreadable(
            [
                Problem(str(path), match.linenumber, match.columnnumber, "parse", match.message)
                for match in matches
            ]
            or [Problem(str(path), 1, 1, "parse", "not a YAML or JSON mapping")]
        )
    return Template(path, body)


def locate(node: Any, key: str | None = None) -> tuple[int, int]:
    """1-based (line, column) of `key` inside `node`, else of `node`, else (1, 1)."""
    if key is not None and isinstance(node, Mapping):
        for candidate in node:
            if candidate == key and hasattr(candidate, "start_mark"):
                return candidate.start_mark.line + 1, candidate.start_mark.column + 1
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1
