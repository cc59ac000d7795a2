"""`make loadtest`: N jobs submitted at once through the local runtime, all must end final.

The jobs come in three ways, mixed: a partner program (client-credentials token, POST /jobs,
presigned POST), a person as the web page does it (user token, same calls), and drop-folder
writes. Then: every job final, none lost, none made twice, no result written twice; it prints
jobs per minute and the p50 / p95 time from submission to the final state.

It starts its own local runtime on free loopback ports (per-owner job cap off, so one user may
have all N jobs at once) and stops it at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from infra.local.emulator import emulator_client
from infra.local.partner_client import PartnerClient
from infra.local.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
FINAL = frozenset({"SUCCEEDED", "FAILED", "REJECTED"})
TIMEOUT = 60
POLL_SECONDS = 5
# What the driver reads of a job. It reads only the jobs not yet final, by key, and finds the
# drop-folder jobs through the by-owner index: a scan of the table every poll holds the
# emulator's item lock while it pages through every job, and the jobs wait behind it.
FIELDS = ("job_id", "#s", "input_key", "finished_at", "result_key", "#src")
CHANNELS = ("api", "web", "dropbox")


@dataclass(frozen=True)
class Stack:
    api_url: str
    emulator_url: str
    outputs: dict[str, Any]
    demo_user: str
    demo_password: str
    region: str = "us-east-1"

    def client(self, service: str) -> Any:
        return emulator_client(self.emulator_url, self.region, service, max_pool_connections=64)


@dataclass
class Report:
    jobs: int
    by_status: dict[str, int]
    by_channel: dict[str, int]
    wall_seconds: float
    latencies: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def jobs_per_minute(self) -> float:
        return self.jobs / self.wall_seconds * 60 if self.wall_seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        return (
            f"{self.jobs} jobs ({', '.join(f'{k} {v}' for k, v in sorted(self.by_channel.items()))}):"
            f" {', '.join(f'{k} {v}' for k, v in sorted(self.by_status.items()))};"
            f" all final in {self.wall_seconds:.1f} s = {self.jobs_per_minute:.0f} jobs/min;"
            f" time to final p50 {self.percentile(0.5):.1f} s, p95 {self.percentile(0.95):.1f} s"
        )


def csv_bytes(rows: int, start: int) -> bytes:
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"])
    picked = frame.iloc[[(start + i) % len(frame) for i in range(rows)]]
    buffer = io.StringIO()
    picked.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def user_token(stack: Stack) -> str:
    answer = stack.client("cognito-idp").initiate_auth(
        ClientId=stack.outputs["UserPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": stack.demo_user, "PASSWORD": stack.demo_password},
    )
    return str(answer["AuthenticationResult"]["AccessToken"])


def partner_token(stack: Stack) -> str:
    partner = PartnerClient.create(
        stack.client("cognito-idp"),
        stack.outputs,
        ["jobs/read", "jobs/write"],
        name="load",
        timeout=TIMEOUT,
    )
    return partner.access_token()


def run_load(
    stack: Stack,
    jobs: int,
    *,
    submitters: int = 32,
    timeout: float = 1800,
    web_token: str | None = None,
) -> Report:
    """Submit `jobs` jobs at once, mixed over the three channels; wait until all are final.

    `web_token`: the person's access token (default: the demo user's).
    """
    tokens = {"api": partner_token(stack), "web": web_token or user_token(stack)}
    tenant = f"load-{uuid.uuid4().hex[:8]}"
    s3 = stack.client("s3")
    bucket = stack.outputs["DataBucketName"]
    submitted: dict[str, float] = {}  # input key -> when its upload finished
    problems: list[str] = []

    def submit(index: int) -> None:
        channel = CHANNELS[index % len(CHANNELS)]
        content = csv_bytes(5 + index % 7, start=index)
        name = f"load-{index:05d}.csv"
        if channel == "dropbox":
            key = f"dropbox/{tenant}/{name}"
            s3.put_object(Bucket=bucket, Key=key, Body=content)
            submitted[key] = time.time()
            return
        headers = {"Authorization": f"Bearer {tokens[channel]}"}
        if channel == "web":
            headers["Origin"] = "http://127.0.0.1"  # browsers name the page; the API reads "web"
        created = requests.post(
            f"{stack.api_url}/jobs", json={"filename": name}, headers=headers, timeout=TIMEOUT
        )
        if created.status_code != 201:
            problems.append(f"POST /jobs {channel} #{index}: {created.status_code} {created.text}")
            return
        body = created.json()
        upload = requests.post(
            body["upload"]["url"],
            data=body["upload"]["fields"],
            files={"file": (name, content, "text/csv")},
            timeout=TIMEOUT,
        )
        if upload.status_code not in (200, 201, 204):
            problems.append(f"upload {channel} #{index}: {upload.status_code}")
            return
        submitted[body["job_id"]] = time.time()

    started = time.time()
    with ThreadPoolExecutor(max_workers=submitters) as pool:
        list(pool.map(submit, range(jobs)))
    watch = JobWatch(stack.client("dynamodb"), stack.outputs["JobsTableName"], tenant)
    for key in submitted:
        watch.expect(key)
    deadline = time.monotonic() + timeout
    while True:
        watch.poll()
        if watch.all_final():
            break
        if time.monotonic() > deadline:
            problems.append(f"not all final within {timeout:.0f} s: {watch.statuses()}")
            break
        print(
            f"{time.time() - started:6.0f} s: {len(watch.final)} of {len(submitted)} final",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(POLL_SECONDS)
    # Once, at the end: every job of the run, so a duplicate made for one input shows too.
    mine = [item for item in scan(watch.client, watch.table, started) if belongs(item, submitted)]
    finals = [epoch(item["finished_at"]) for item in mine if item.get("finished_at")]
    wall = (max(finals) if finals else time.time()) - started
    latencies = [
        epoch(item["finished_at"]) - submitted[submitted_key(item, submitted)]
        for item in mine
        if item.get("finished_at")
    ]
    problems += check(mine, submitted, s3, bucket)
    return Report(
        jobs=len(mine),
        by_status=dict(Counter(item["status"] for item in mine)),
        by_channel=dict(Counter(item["source"] for item in mine)),
        wall_seconds=wall,
        latencies=latencies,
        problems=problems,
    )


class JobWatch:
    """The run's jobs as the driver polls them: by key while not final, drops found by owner."""

    def __init__(self, client: Any, table: str, tenant: str) -> None:
        self.client = client
        self.table = table
        self._tenant = tenant
        self._drops_expected = 0
        self._drops_found: set[str] = set()
        self.pending: set[str] = set()  # job ids not yet final
        self.final: dict[str, dict[str, Any]] = {}
        self._last: dict[str, str] = {}  # job id -> last status read

    def expect(self, submitted_key: str) -> None:
        """A submission: a job id (API, web) or a drop-folder key (its job id is found later)."""
        if submitted_key.startswith("dropbox/"):
            self._drops_expected += 1
        else:
            self.pending.add(submitted_key)

    def poll(self) -> None:
        if len(self._drops_found) < self._drops_expected:
            self._find_drops()
        ids = sorted(self.pending)
        for start in range(0, len(ids), 100):
            for item in self._get(ids[start : start + 100]):
                self._last[item["job_id"]] = item["status"]
                if item["status"] in FINAL:
                    self.final[item["job_id"]] = item
                    self.pending.discard(item["job_id"])

    def all_final(self) -> bool:
        return len(self._drops_found) >= self._drops_expected and not self.pending

    def statuses(self) -> Counter[str]:
        return Counter(self._last.values())

    def _find_drops(self) -> None:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "by-owner",
            "KeyConditionExpression": "#o = :o",
            "ProjectionExpression": "job_id",
            "ExpressionAttributeNames": {"#o": "owner"},
            "ExpressionAttributeValues": {":o": {"S": self._tenant}},
        }
        while True:
            page = self.client.query(**kwargs)
            for raw in page.get("Items", []):
                job_id = raw["job_id"]["S"]
                if job_id not in self._drops_found:
                    self._drops_found.add(job_id)
                    self.pending.add(job_id)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _get(self, job_ids: list[str]) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            self.table: {
                "Keys": [{"job_id": {"S": job_id}} for job_id in job_ids],
                "ProjectionExpression": ", ".join(FIELDS),
                "ExpressionAttributeNames": {"#s": "status", "#src": "source"},
            }
        }
        items: list[dict[str, Any]] = []
        while request:
            answer = self.client.batch_get_item(RequestItems=request)
            for raw in answer.get("Responses", {}).get(self.table, []):
                items.append({name: next(iter(value.values())) for name, value in raw.items()})
            request = answer.get("UnprocessedKeys") or {}
        return items


def scan(client: Any, table_name: str, since: float) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "ProjectionExpression": ", ".join(FIELDS),
        "ExpressionAttributeNames": {"#s": "status", "#src": "source"},
    }
    while True:
        page = client.scan(**kwargs)
        for raw in page.get("Items", []):
            items.append({name: next(iter(value.values())) for name, value in raw.items()})
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def submitted_key(item: dict[str, Any], submitted: dict[str, float]) -> str:
    for key in (item.get("input_key"), item.get("job_id")):
        if key in submitted:
            return str(key)
    return ""


def belongs(item: dict[str, Any], submitted: dict[str, float]) -> bool:
    return submitted_key(item, submitted) != ""


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def check(
    jobs: list[dict[str, Any]], submitted: dict[str, float], s3: Any, bucket: str
) -> list[str]:
    """None lost, none duplicated, one result per succeeded job and no result twice."""
    problems = []
    keys = Counter(submitted_key(item, submitted) for item in jobs)
    twice = [key for key, count in keys.items() if count > 1]
    if twice:
        problems.append(f"{len(twice)} inputs made more than one job: {twice[:3]}")
    lost = set(submitted) - set(keys)
    if lost:
        problems.append(f"{len(lost)} submissions made no job: {sorted(lost)[:3]}")
    results = Counter(item.get("result_key") for item in jobs if item["status"] == "SUCCEEDED")
    if None in results or any(count > 1 for count in results.values()):
        problems.append("a succeeded job without a result, or two jobs with one result key")
    # One listing of the bucket's versions (a listing per result walks the bucket each time).
    written: Counter[str] = Counter()
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        written.update(version["Key"] for version in page.get("Versions", []))
    for key in results:
        if written[str(key)] != 1:
            problems.append(f"{key}: {written[str(key)]} versions written")
    not_done = [item["job_id"] for item in jobs if item["status"] != "SUCCEEDED"]
    if not_done:
        problems.append(f"{len(not_done)} jobs did not succeed: {not_done[:3]}")
    return problems


def start_runtime(state_dir: Path) -> tuple[subprocess.Popen[bytes], Stack]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        {
            "BATCHSCORE_HOST": "127.0.0.1",
            "BATCHSCORE_EMULATOR_PORT": str(free_port()),
            "BATCHSCORE_API_PORT": str(free_port()),
            "BATCHSCORE_WEB_PORT": str(free_port()),
            "BATCHSCORE_LOCAL_DIR": str(state_dir),
            "BATCHSCORE_LOCAL_POLL_WAIT_SECONDS": "1",
        }
    )
    log = (state_dir / "runtime.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--parameter", "MaxActiveJobsPerOwner=0"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ready = state_dir / "ready"
    deadline = time.monotonic() + 180
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            raise SystemExit(f"the local runtime did not start: see {state_dir / 'runtime.log'}")
        time.sleep(0.5)
    summary = json.loads(ready.read_text())
    return process, Stack(
        api_url=summary["api_url"],
        emulator_url=summary["emulator_url"],
        outputs=summary["outputs"],
        demo_user=summary["demo_user"],
        demo_password=summary["demo_password"],
    )


def stop_runtime(process: subprocess.Popen[bytes]) -> None:
    """Stop a runtime `start_runtime` started (SIGTERM, then SIGKILL after 20 s)."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def fresh_runtime(prefix: str) -> Iterator[tuple[Stack, Path]]:
    """A runtime of its own with its state in a new temporary dir (`prefix`...): the stack and
    the dir, which holds `runtime.log`. Stopped, and the dir removed, at the end."""
    with tempfile.TemporaryDirectory(prefix=prefix) as work:
        process, stack = start_runtime(Path(work))
        try:
            yield stack, Path(work)
        finally:
            stop_runtime(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--submitters", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    with fresh_runtime("batchscore-loadtest-") as (stack, _):
        report = run_load(stack, args.jobs, submitters=args.submitters, timeout=args.timeout)
    print(report.summary())
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
