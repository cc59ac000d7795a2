"""Run cfn-lint on a template file, or on its SAM-transformed form, and report Problems."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cfnlint.api import lint_file
from cfnlint.match import Match

from infra.build.problems import Problem
from infra.build.template_source import Template, locate


def _subject(match: Match) -> str:
    path = list(getattr(match, "path", None) or [])
    return str(path[1]) if len(path) > 1 and path[0] in ("Resources", "Outputs") else ""


def lint_template_file(path: Path) -> list[Problem]:
    """cfn-lint's errors and warnings for `path` (its default rules and region)."""
    return [
        Problem(
            str(match.filename or path),
            match.linenumber,
            match.columnnumber,
            f"cfn-lint {match.rule.id}",
            match.message,
            _subject(match),
        )
        for match in lint_file(path)
    ]


def _in_source(problem: Problem, match: Match, source: Template) -> Problem:
    """Point a problem of the transformed template back at its resource in the source, if any."""
    resource = (source.body.get("Resources") or {}).get(problem.subject)
    if not isinstance(resource, Mapping):
        return problem
    path = list(getattr(match, "path", None) or [])
    properties = resource.get("Properties")
    key = str(path[3]) if len(path) > 3 and path[2] == "Properties" else None
    line, column = locate(properties, key) if key and isinstance(properties, Mapping) else (0, 0)
    if (line, column) == (0, 0) or (key and key not in (properties or {})):
        line, column = locate(resource)
    return Problem(
        str(source.path),
        line,
        column,
        f"{problem.check} (SAM-transformed)",
        f"{problem.message} [transformed: {problem.file}:{problem.line}]",
        problem.subject,
    )


def lint_transformed(
    transformed: dict[str, Any], written_to: Path, source: Template
) -> list[Problem]:
    """Lint the SAM-transformed template, written to `written_to` so its lines are real.

    Problems in a resource that the source template declares point at that resource's line.
    """
    written_to.parent.mkdir(parents=True, exist_ok=True)
    written_to.write_text(json.dumps(transformed, indent=1), encoding="utf-8")
    problems = []
    for match in lint_file(written_to):
        problem = Problem(
            str(match.filename or written_to),
            match.linenumber,
            match.columnnumber,
            f"cfn-lint {match.rule.id}",
            match.message,
            _subject(match),
        )
        problems.append(_in_source(problem, match, source))
    return problems
