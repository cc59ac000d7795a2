"""How the CLI shows jobs and errors to people (`--json` prints the API's JSON instead)."""

from __future__ import annotations

from typing import Any

from batchscore_client.errors import Detail

MAX_DETAILS = 20


def job_summary(job: dict[str, Any]) -> str:
    lines = [
        f"job      {job.get('job_id')}",
        f"status   {job.get('status')}{'  (archived)' if job.get('archived') else ''}",
        f"file     {job.get('filename')}  (source {job.get('source')})",
        f"rows     {_rows(job)}",
        f"model    {_model(job)}",
        f"created  {job.get('created_at')}   updated {job.get('updated_at')}",
    ]
    if job.get("duration_ms") is not None:
        lines.append(f"took     {int(job['duration_ms']) / 1000:.1f} s")
    webhook = job.get("webhook")
    if isinstance(webhook, dict):
        state = (
            "delivered" if webhook.get("delivered") else f"{webhook.get('attempts', 0)} attempt(s)"
        )
        lines.append(f"webhook  {webhook.get('url')}  ({state})")
    error = job.get("error")
    if isinstance(error, dict):
        lines.append(f"error    {error.get('message')} [{error.get('code')}]")
        details = [Detail.from_json(d) for d in error.get("details") or []]
        lines.extend(detail_lines(beyond(str(error.get("message")), details)))
    lines.extend(warning_lines(job))
    return "\n".join(lines)


def warning_lines(job: dict[str, Any]) -> list[str]:
    """Problems that were scored anyway (imputed cells, values outside the training range)."""
    listed = [Detail.from_json(d) for d in job.get("warnings") or []]
    total = max(int(job.get("warnings_total") or 0), len(listed))
    if total == 0:
        return []
    plural = "" if total == 1 else "s"
    shown = f" ({len(listed):,} listed)" if len(listed) < total else ""
    lines = [f"warnings {total:,} value{plural} scored with a warning{shown}"]
    lines.extend(detail_lines(listed))
    return lines


def job_table(jobs: list[dict[str, Any]]) -> str:
    if not jobs:
        return "no jobs"
    rows = [("JOB ID", "STATUS", "ROWS", "CREATED", "FILE")]
    rows += [
        (
            str(job.get("job_id")),
            str(job.get("status")),
            _rows(job),
            str(job.get("created_at", "")),
            str(job.get("filename", "")),
        )
        for job in jobs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4]
        for row in rows
    )


def beyond(message: str, details: list[Detail]) -> list[Detail]:
    """The details that say more than `message`: a placeless one repeating it is left out."""
    return [
        d for d in details if d.line is not None or d.column or d.field or d.message not in message
    ]


def detail_lines(details: list[Detail]) -> list[str]:
    lines = []
    details = [d for d in details if d.message or d.line is not None or d.column or d.field]
    for detail in details[:MAX_DETAILS]:
        where = []
        if detail.line is not None:
            where.append(f"line {detail.line}")
        if detail.column:
            where.append(f"column {detail.column!r}")
        if detail.field:
            where.append(f"field {detail.field!r}")
        prefix = ", ".join(where)
        lines.append(f"  {prefix}: {detail.message}" if prefix else f"  {detail.message}")
    if len(details) > MAX_DETAILS:
        lines.append(f"  ... and {len(details) - MAX_DETAILS} more")
    return lines


def _model(job: dict[str, Any]) -> str:
    name, version = job.get("model_name"), job.get("model_version")
    if name and version and not str(version).startswith(str(name)):
        return f"{name} {version}"
    return str(version or name or "-")


def _rows(job: dict[str, Any]) -> str:
    total = job.get("rows_total")
    done = job.get("rows_done") or 0
    return f"{done}/{total}" if total is not None else f"{done}/?"
