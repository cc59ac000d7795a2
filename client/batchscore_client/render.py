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
        f"model    {job.get('model_version') or '-'}",
        f"created  {job.get('created_at')}   updated {job.get('updated_at')}",
    ]
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
        lines.extend(detail_lines(details))
    return "\n".join(lines)


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


def _rows(job: dict[str, Any]) -> str:
    total = job.get("rows_total")
    done = job.get("rows_done") or 0
    return f"{done}/{total}" if total is not None else f"{done}/?"
