"""`make bench-e2e`: one job per size through a fresh local runtime, timed stage by stage.

Each size (`--sizes`, default 1k, 100k and 1M rows of the default schema, as `make sample`
writes them) goes the real way: `POST /jobs`, the presigned POST upload of the file, then
`GET /jobs/{id}` until the job is final. Its time from the start of the upload to SUCCEEDED is
split into stages from the job item's own timestamps (`queued_at`, `started_at`, `scored_at`,
`finished_at`; every function runs on this machine, so one clock):

- upload: the presigned POST, measured by the client;
- ingest: the object written (the upload's answer, or the admission if that came first)
  -> the job admitted, QUEUED;
- queue: QUEUED -> claimed by the process function (PROCESSING);
- score: claimed -> the workbook written (read, predict, write the xlsx);
- finish: the workbook's upload to S3 and the job's end -> SUCCEEDED.

Per size it prints the stages, the scoring rate and the workbook's size; the last lines are
machine-readable, one per size, in the order run:
`size=<rows> total_s=... upload_s=... ingest_s=... queue_s=... score_s=... finish_s=...
rows_per_s=... xlsx_mb=...`.

It starts its own runtime on free loopback ports with its own state dir
(`bench.loadtest.fresh_runtime`) and stops it at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.loadtest import FINAL, Stack, epoch, fresh_runtime, user_token

DEFAULT_SIZES = (1_000, 100_000, 1_000_000)
HTTP_TIMEOUT = 60
UPLOAD_TIMEOUT = 1800  # a 218 MB POST through the emulator
# The job item's stage boundaries, in order (batchscore_core.models.Job).
BOUNDARIES = ("queued_at", "started_at", "scored_at", "finished_at")


class StageMissing(ValueError):
    """The job item lacks a stage boundary (a job made before it was recorded, or not done)."""


@dataclass(frozen=True)
class StageSplit:
    """Seconds per stage of one job, from the start of its upload to SUCCEEDED."""

    upload_s: float
    ingest_s: float
    queue_s: float
    score_s: float
    finish_s: float

    @property
    def total_s(self) -> float:
        return self.upload_s + self.ingest_s + self.queue_s + self.score_s + self.finish_s

    def stages(self) -> dict[str, float]:
        return {
            "upload": self.upload_s,
            "ingest": self.ingest_s,
            "queue": self.queue_s,
            "score": self.score_s,
            "finish": self.finish_s,
        }


def stage_split(job: dict[str, Any], *, upload_started: float, uploaded: float) -> StageSplit:
    """The stages of `job` (its JSON, as `GET /jobs/{id}` answers), whose upload ran from
    `upload_started` to `uploaded` (epoch seconds, this machine's clock)."""
    missing = [name for name in BOUNDARIES if not job.get(name)]
    if missing:
        raise StageMissing(f"job {job.get('job_id')} has no {', '.join(missing)}")
    queued, started, scored, finished = (epoch(str(job[name])) for name in BOUNDARIES)
    # The object was written before the upload's answer reached the client, and before the job
    # was admitted: a client held up after the emulator answered may see the answer later.
    written = min(uploaded, queued)
    return StageSplit(
        upload_s=written - upload_started,
        ingest_s=queued - written,
        queue_s=started - queued,
        score_s=scored - started,
        finish_s=finished - scored,
    )


@dataclass(frozen=True)
class SizeResult:
    rows: int
    csv_bytes: int
    split: StageSplit
    rows_scored: int
    xlsx_bytes: int

    @property
    def rows_per_s(self) -> float:
        return self.rows_scored / self.split.score_s if self.split.score_s > 0 else 0.0

    def report(self) -> str:
        stages = "  ".join(f"{name} {value:7.2f} s" for name, value in self.split.stages().items())
        return (
            f"{self.rows:>9,} rows ({self.csv_bytes / 1e6:7.1f} MB CSV): total"
            f" {self.split.total_s:7.2f} s = {stages};"
            f" scoring {self.rows_per_s:,.0f} rows/s; workbook {self.xlsx_bytes / 1e6:.1f} MB"
        )

    def machine_line(self) -> str:
        split = self.split
        return (
            f"size={self.rows} total_s={split.total_s:.3f} upload_s={split.upload_s:.3f}"
            f" ingest_s={split.ingest_s:.3f} queue_s={split.queue_s:.3f}"
            f" score_s={split.score_s:.3f} finish_s={split.finish_s:.3f}"
            f" rows_per_s={self.rows_per_s:.0f} xlsx_mb={self.xlsx_bytes / 1e6:.1f}"
        )


def write_sample(path: Path, rows: int) -> Path:
    """`rows` rows of the default model's schema (as `make sample` writes them)."""
    from batchscore_model.schema import load_model_info
    from bench.bench import generate_csv

    columns = [column.name for column in load_model_info().columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    generate_csv(path, rows, columns)
    return path


class Client:
    """The API as a partner program uses it, with one bearer token."""

    def __init__(self, api_url: str, token: str) -> None:
        self.api_url = api_url
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"

    def create(self, filename: str) -> dict[str, Any]:
        answer = self._session.post(
            f"{self.api_url}/jobs", json={"filename": filename}, timeout=HTTP_TIMEOUT
        )
        if answer.status_code != 201:
            raise RuntimeError(f"POST /jobs: {answer.status_code} {answer.text}")
        body: dict[str, Any] = answer.json()
        return body

    def job(self, job_id: str) -> dict[str, Any]:
        answer = self._session.get(f"{self.api_url}/jobs/{job_id}", timeout=HTTP_TIMEOUT)
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    def result_bytes(self, job_id: str) -> int:
        """The workbook's size, from its download's Content-Length (the body is not read)."""
        answer = self._session.get(f"{self.api_url}/jobs/{job_id}/result", timeout=HTTP_TIMEOUT)
        answer.raise_for_status()
        with requests.get(answer.json()["url"], stream=True, timeout=HTTP_TIMEOUT) as download:
            download.raise_for_status()
            return int(download.headers["Content-Length"])


def upload(target: dict[str, Any], path: Path) -> None:
    """The presigned POST, streamed from the file."""
    with path.open("rb") as handle:
        answer = requests.post(
            target["url"],
            data=target["fields"],
            files={"file": (path.name, handle, "text/csv")},
            timeout=UPLOAD_TIMEOUT,
        )
    if answer.status_code not in (200, 201, 204):
        raise RuntimeError(f"upload of {path.name}: {answer.status_code} {answer.text[:300]}")


def wait_final(
    client: Client, job_id: str, *, timeout: float, poll_seconds: float
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = client.job(job_id)
        if job["status"] in FINAL:
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} not final within {timeout:.0f} s: {job['status']}")
        time.sleep(poll_seconds)


def run_size(
    client: Client, path: Path, rows: int, *, timeout: float = 3600, poll_seconds: float = 0.5
) -> SizeResult:
    """One job of the file at `path` (`rows` data rows), through upload to SUCCEEDED."""
    created = client.create(path.name)
    upload_started = time.time()
    upload(created["upload"], path)
    uploaded = time.time()
    job = wait_final(client, created["job_id"], timeout=timeout, poll_seconds=poll_seconds)
    if job["status"] != "SUCCEEDED":
        raise RuntimeError(f"job {job['job_id']} ended {job['status']}: {job.get('error')}")
    return SizeResult(
        rows=rows,
        csv_bytes=path.stat().st_size,
        split=stage_split(job, upload_started=upload_started, uploaded=uploaded),
        rows_scored=int(job.get("rows_done") or 0),
        xlsx_bytes=client.result_bytes(job["job_id"]),
    )


def run_bench(
    stack: Stack, sizes: list[int], work_dir: Path, *, token: str | None = None
) -> list[SizeResult]:
    client = Client(stack.api_url, token or user_token(stack))
    results = []
    for rows in sizes:
        path = write_sample(work_dir / f"bench-e2e-{rows}.csv", rows)
        print(f"{rows:,} rows: {path.stat().st_size / 1e6:.1f} MB, submitting", file=sys.stderr)
        result = run_size(client, path, rows, poll_seconds=0.5 if rows < 100_000 else 1.0)
        path.unlink()
        print(result.report(), flush=True)
        results.append(result)
    return results


def parse_sizes(text: str) -> list[int]:
    """`1000,100k,1M` -> [1000, 100000, 1000000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        factor = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        sizes.append(int(float(part[:-1] if factor > 1 else part) * factor))
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be at least 1 row: {text}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="rows per job, comma-separated (k and M allowed; default 1000,100000,1000000)",
    )
    args = parser.parse_args(argv)
    with fresh_runtime("batchscore-bench-e2e-") as (stack, work):
        try:
            results = run_bench(stack, args.sizes, work)
        except Exception:
            log = (work / "runtime.log").read_text(errors="replace").splitlines()
            print("the local runtime's log ends with:", *log[-40:], sep="\n", file=sys.stderr)
            raise
    for result in results:
        print(result.machine_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
