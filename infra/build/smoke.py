"""`make smoke STAGE=dev|prod|local`: one job end to end through the stack's public API.

A throwaway user signs in (Cognito USER_PASSWORD_AUTH, the web client), reads `GET /model`, makes
a small CSV of that model's schema, submits it (`POST /jobs` + the presigned POST, as the web page
does), waits for SUCCEEDED, downloads the workbook, deletes the job and the user. Prints each step
with its time; exit 0 only if every step passed.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from infra.build.stage import DEFAULT_LOCAL_DIR, StackNotFound, Target, target
from infra.build.user import ensure_user, generated_password

FINAL = {"SUCCEEDED", "FAILED", "REJECTED"}
HTTP_TIMEOUT_SECONDS = 30


class SmokeFailed(AssertionError):
    """A step of the smoke test did not give what it should."""


@dataclass
class Smoke:
    api_url: str
    token: str
    say: Callable[[str], None] = print

    def call(self, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        answer = requests.request(
            method,
            f"{self.api_url.rstrip('/')}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=HTTP_TIMEOUT_SECONDS,
            **kwargs,
        )
        if answer.status_code != expected:
            raise SmokeFailed(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json() if answer.content else None


def sample_csv(model: dict[str, Any], rows: int = 5) -> bytes:
    """Valid rows for the model's input schema (GET /model): mid-range numbers, first categories."""
    columns = model["columns"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column["name"] for column in columns])
    for row in range(rows):
        values = []
        for column in columns:
            if column.get("categories"):
                values.append(column["categories"][row % len(column["categories"])])
            elif column.get("dtype") == "number":
                low, high = column.get("min"), column.get("max")
                if low is None or high is None:
                    values.append(row)
                else:
                    values.append(low + (high - low) * (row + 1) / (rows + 1))
            else:
                values.append(f"smoke-{row}")
        writer.writerow(values)
    return out.getvalue().encode()


def run(smoke: Smoke, *, timeout_seconds: float = 900, poll_seconds: float = 2) -> dict[str, Any]:
    """One job through the API; the final job."""
    started = time.monotonic()

    def step(message: str) -> None:
        smoke.say(f"[{time.monotonic() - started:6.1f} s] {message}")

    model = smoke.call("GET", "/model", 200)
    step(f"GET /model: {model['version']} ({len(model['columns'])} columns)")
    created = smoke.call("POST", "/jobs", 201, json={"filename": "smoke.csv"})
    job_id = created["job_id"]
    step(f"POST /jobs: {job_id}")
    upload = created["upload"]
    answer = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("smoke.csv", sample_csv(model), "text/csv")},
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    if answer.status_code not in (200, 201, 204):
        raise SmokeFailed(
            f"presigned POST to {upload['url']}: {answer.status_code} {answer.text[:500]}"
        )
    step("upload: presigned POST accepted")
    deadline = time.monotonic() + timeout_seconds
    job = smoke.call("GET", f"/jobs/{job_id}", 200)
    while job["status"] not in FINAL:
        if time.monotonic() > deadline:
            raise SmokeFailed(f"job {job_id} still {job['status']} after {timeout_seconds:.0f} s")
        time.sleep(poll_seconds)
        job = smoke.call("GET", f"/jobs/{job_id}", 200)
    step(f"job {job['status']}: {job.get('rows_done')} of {job.get('rows_total')} rows")
    if job["status"] != "SUCCEEDED":
        raise SmokeFailed(f"job ended {job['status']}: {job.get('error')}")
    link = smoke.call("GET", f"/jobs/{job_id}/result", 200)
    workbook = requests.get(link["url"], timeout=HTTP_TIMEOUT_SECONDS)
    if workbook.status_code != 200 or workbook.content[:2] != b"PK":
        raise SmokeFailed(f"result download: {workbook.status_code} {workbook.content[:200]!r}")
    step(f"result: {len(workbook.content)} bytes of xlsx")
    smoke.call("DELETE", f"/jobs/{job_id}", 204)
    step("DELETE /jobs/{id}: gone")
    return dict(job)


def sign_in(stack: Target, username: str, password: str) -> str:
    answer = stack.client("cognito-idp").initiate_auth(
        ClientId=stack.outputs["UserPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["AccessToken"])


def smoke_stack(stack: Target, say: Callable[[str], None] = print) -> dict[str, Any]:
    """`run` as a throwaway user of `stack`, removed afterwards whatever happens."""
    cognito = stack.client("cognito-idp")
    pool_id = str(stack.outputs["UserPoolId"])
    username = f"smoke-{uuid.uuid4().hex[:12]}@example.com"
    password = generated_password()
    ensure_user(cognito, pool_id, username, password=password)
    try:
        return run(Smoke(str(stack.outputs["ApiUrl"]), sign_in(stack, username, password), say))
    finally:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=username)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", help="dev, prod (samconfig.toml) or local")
    parser.add_argument("--local-dir", type=Path, default=DEFAULT_LOCAL_DIR)
    args = parser.parse_args(argv)
    try:
        stack = target(args.stage, args.local_dir)
        smoke_stack(stack)
    except (StackNotFound, SmokeFailed) as exc:
        print(f"make smoke: FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"make smoke: {stack.stack_name} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
