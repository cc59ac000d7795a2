"""`make retrain MODEL=name [STAGE=local|dev|prod]`: retrain a model now and wait for the gate.

A throwaway admin of the stack's pool starts the run (`POST /models/{name}/retrain`, as
`batchscore models retrain NAME --wait` does), polls it until it ends and prints the gate's
checks; exit 0 when the candidate was PROMOTED, 1 when the champion was kept or the run failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.build.smoke import Smoke, SmokeFailed, sign_in
from infra.build.stage import DEFAULT_LOCAL_DIR, StackNotFound, Target, target
from infra.build.user import ensure_user, generated_password


def retrain(smoke: Smoke, name: str, *, timeout_seconds: float = 900) -> dict[str, Any]:
    started = smoke.call("POST", f"/models/{name}/retrain", 202, json={})
    smoke.say(f"run {started['run_id']} of {name} started")
    deadline = time.monotonic() + timeout_seconds
    while True:
        run: dict[str, Any] = smoke.call("GET", f"/models/{name}/runs/{started['run_id']}", 200)
        if run["status"] != "RUNNING":
            return run
        if time.monotonic() > deadline:
            raise SmokeFailed(f"run {started['run_id']} still RUNNING after {timeout_seconds} s")
        time.sleep(2)


def report(run: dict[str, Any]) -> list[str]:
    lines = [
        f"{run['model']}: {run['status']} (candidate {run.get('candidate_version')},"
        f" champion was {run.get('champion_version')}, rows {run.get('rows')})"
    ]
    lines += [
        f"  {'ok  ' if check['passed'] else 'FAIL'} {check['name']}: {check['detail']}"
        for check in (run.get("gate") or {}).get("checks", [])
    ]
    if run.get("error"):
        lines.append(f"  error: {run['error'].get('code')}: {run['error'].get('message')}")
    return lines


def retrain_stack(stack: Target, name: str) -> dict[str, Any]:
    cognito = stack.client("cognito-idp")
    pool_id = str(stack.outputs["UserPoolId"])
    username = f"retrain-{uuid.uuid4().hex[:12]}@example.com"
    password = generated_password()
    ensure_user(cognito, pool_id, username, admin=True, password=password, email_invitation=False)
    try:
        smoke = Smoke(str(stack.outputs["ApiUrl"]), sign_in(stack, username, password))
        return retrain(smoke, name)
    finally:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=username)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--stage", default="local", help="local (make run), dev or prod")
    parser.add_argument("--local-dir", type=Path, default=DEFAULT_LOCAL_DIR)
    args = parser.parse_args(argv)
    try:
        run = retrain_stack(target(args.stage, args.local_dir), args.model)
    except (StackNotFound, SmokeFailed) as exc:
        print(f"make retrain: FAILED: {exc}", file=sys.stderr)
        return 1
    print("\n".join(report(run)))
    return 0 if run["status"] == "PROMOTED" else 1


if __name__ == "__main__":
    sys.exit(main())
