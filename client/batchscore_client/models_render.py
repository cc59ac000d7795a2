"""How the CLI shows the model registry to people (`--json` prints the API's JSON instead)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ALIAS_ORDER = ("champion", "challenger")


def model_table(models: list[dict[str, Any]]) -> str:
    if not models:
        return "no models"
    rows = [("NAME", "TASK", "CHAMPION", "CHALLENGER", "VERSIONS")]
    for model in models:
        aliases = model.get("aliases") or {}
        rows.append(
            (
                str(model.get("name")),
                str(model.get("task") or "-"),
                str(aliases.get("champion") or "-"),
                str(aliases.get("challenger") or "-"),
                str(model.get("versions", "-")),
            )
        )
    return _table(rows)


def model_details(model: dict[str, Any]) -> str:
    aliases = model.get("aliases") or {}
    by_version: dict[str, list[str]] = {}
    for alias in sorted(aliases, key=_alias_rank):
        by_version.setdefault(str(aliases[alias]), []).append(alias)
    lines = [
        f"model    {model.get('name')}  ({model.get('task') or '-'})",
        "aliases  "
        + ("  ".join(f"{a} {aliases[a]}" for a in sorted(aliases, key=_alias_rank)) or "-"),
        "",
    ]
    versions = model.get("versions") or []
    if versions:
        rows = [("VERSION", "STATUS", "ALIASES", "METRIC", "CREATED", "BY")]
        for entry in versions:
            version = str(entry.get("version"))
            rows.append(
                (
                    version,
                    str(entry.get("status") or "-"),
                    ",".join(by_version.get(version, [])) or "-",
                    primary_metric(entry),
                    str(entry.get("created_at") or "-"),
                    str(entry.get("created_by") or "-"),
                )
            )
        lines.append(_table(rows))
    else:
        lines.append("no versions")
    lines += ["", "history"]
    history = model.get("history") or []
    lines += [f"  {move_line(move)}" for move in history] or ["  no alias moves yet"]
    return "\n".join(lines)


def version_details(name: str, version: dict[str, Any]) -> str:
    metrics = version.get("metrics") or {}
    lines = [
        f"model    {name}@{version.get('version')}  ({version.get('task') or '-'})",
        f"status   {version.get('status') or '-'}",
        f"created  {version.get('created_at') or '-'}  by {version.get('created_by') or '-'}",
        f"metrics  {', '.join(f'{k} {_number(v)}' for k, v in metrics.items()) or '-'}"
        + (f"  (primary: {version['primary_metric']})" if version.get("primary_metric") else ""),
    ]
    columns = version.get("columns") or []
    if columns:
        lines.append(f"columns  {', '.join(str(c.get('name')) for c in columns)}")
    return "\n".join(lines)


def move_line(move: dict[str, Any]) -> str:
    """`2026-12-01T10:00:00Z  champion  v1 -> v2  by ana: the forest is better`."""
    before = move.get("from_version") or "(none)"
    return (
        f"{move.get('at')}  {move.get('alias')}  {before} -> {move.get('to_version')}"
        f"  by {move.get('by')}: {move.get('reason')}"
    )


def primary_metric(version: dict[str, Any]) -> str:
    name = version.get("primary_metric")
    value = (version.get("metrics") or {}).get(name) if name else None
    return f"{name} {_number(value)}" if value is not None else "-"


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else str(value)


def _alias_rank(alias: str) -> tuple[int, str]:
    return (ALIAS_ORDER.index(alias) if alias in ALIAS_ORDER else len(ALIAS_ORDER), alias)


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )
