"""Structured logs carry the job id, in every function a job passes through."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.e2e_support import feature_csv, poll, signed_in, wait_until_final

pytestmark = pytest.mark.e2e


def job_lines(local_stack: Any, job_id: str) -> dict[str, list[dict[str, Any]]]:
    """Function -> its JSON log lines that name `job_id` in the `job_id` key."""
    found: dict[str, list[dict[str, Any]]] = {}
    for line in local_stack.log_path.read_text(errors="replace").splitlines():
        prefix, _, rest = line.partition("] ")
        if not prefix.startswith("[") or not rest.startswith("{"):
            continue
        try:
            record = json.loads(rest)
        except json.JSONDecodeError:
            continue
        if record.get("job_id") == job_id:
            found.setdefault(prefix[1:], []).append(record)
    return found


def test_every_log_line_about_a_job_carries_its_id(local_stack: Any) -> None:
    # Given a job scored end to end
    user = signed_in(local_stack)
    job_id = user.submit(feature_csv(4), "logged.csv")
    assert wait_until_final(user, job_id, local_stack)["status"] == "SUCCEEDED"

    # When the runtime's log (the functions' stdout, as CloudWatch gets it) is read, until the
    # success is in it: the function logs it after the job's SUCCEEDED is written, so a status
    # read can see SUCCEEDED a moment before the line reaches the log
    lines = poll(
        lambda: job_lines(local_stack, job_id),
        lambda found: (
            {"UploadFunction", "ProcessFunction"} <= set(found)
            and any(r.get("message") == "job succeeded" for r in found["ProcessFunction"])
        ),
        what="log lines with the job id, the success among them",
        stack=local_stack,
        timeout=30,
    )

    # Then the ingest and the scoring both logged under `job_id`, the success among them
    assert any(r.get("message") == "job succeeded" for r in lines["ProcessFunction"])
