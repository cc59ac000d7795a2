"""`make cost`: what 1,000 jobs cost on AWS, per job size, from a fresh measurement.

Starts the local runtime with every function's AWS calls and invocations recorded
(infra/local/aws_calls.py), sends one job per size (after a warm-up job) through the public API as a client would
(POST /jobs, the presigned POST, one GET /jobs/{id}, GET /jobs/{id}/result and the download; the
wait reads the table directly, so it bills nothing), then prices what was recorded:

    Lambda   sum over functions of invocations x $/request + duration_s x memory_GB x $/GB-s
             (+ ephemeral storage above 512 MB x duration_s x $/GB-s)
    API      HTTP API requests x $/request
    S3       PUT-class requests x $/PUT + GET-class requests x $/GET (deletes are free)
    SQS      requests: the S3 notification, each send, and a receive + delete per message consumed
    DynamoDB writes x $/WRU (a transaction item counts 2) + reads x $/RRU
    EventBridge  events put x $/event

and prints, per 1,000 jobs, each line and the total (storage is shown apart: it depends on how
long objects are kept). Memory sizes are the template's; durations are this machine's (one local
core standing in for Lambda's, whose speed per vCPU is similar). Prices: PRICES below.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]

# USD, us-east-1, on-demand list prices (checked 2026-12); eu-west-1 is within a few percent.
PRICES = {
    "lambda_gb_second": 0.0000166667,  # x86
    "lambda_request": 0.20 / 1e6,
    "lambda_ephemeral_gb_second": 0.0000000309,  # above the free 512 MB
    "api_request": 1.00 / 1e6,  # HTTP API, first 300 million a month
    "s3_put": 0.005 / 1000,  # PUT, COPY, POST, LIST
    "s3_get": 0.0004 / 1000,  # GET, HEAD
    "s3_gb_month": 0.023,  # Standard, first 50 TB
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk
    "dynamodb_write": 0.625 / 1e6,  # on-demand write request unit
    "dynamodb_read": 0.125 / 1e6,  # on-demand read request unit
    "eventbridge_event": 1.00 / 1e6,  # custom events
}
_S3_PUT_CLASS = {
    "PutObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "CopyObject",
    "ListObjectVersions",
    "ListObjectsV2",
    "ListObjects",
    "presigned:PostObject",
}
_S3_GET_CLASS = {"GetObject", "HeadObject", "presigned:GetObject"}
_DDB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
_DDB_READS = {"GetItem", "Query", "Scan", "BatchGetItem"}
WARMUP_ROWS = 100
_SQS_TRIGGERED = {"UploadFunction", "ProcessFunction", "JobsDlqFunction", "WebhookFunction"}
_HTTP_FUNCTIONS = {"StatusFunction", "PredictFunction", "RegistryFunction"}


@dataclass
class JobUsage:
    """What one job made the stack do, as recorded."""

    rows: int
    input_bytes: int
    output_bytes: int
    seconds_to_final: float
    invocations: Counter[str] = field(default_factory=Counter)
    duration_ms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    transact_items: int = 0
    events: int = 0


@dataclass(frozen=True)
class FunctionSize:
    memory_mb: int
    ephemeral_mb: int


def function_sizes(template: Path) -> dict[str, FunctionSize]:
    """Memory and /tmp of every function, as the template (with its Globals) gives them."""
    from infra.local.cfn_yaml import load_template
    from infra.local.globals_merge import apply_globals

    document = apply_globals(load_template(template))
    sizes = {}
    for name, resource in document["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Function":
            props = resource.get("Properties") or {}
            ephemeral = (props.get("EphemeralStorage") or {}).get("Size", 512)
            sizes[name] = FunctionSize(int(props.get("MemorySize", 128)), int(ephemeral))
    return sizes


def cost_lines(usage: JobUsage, sizes: Mapping[str, FunctionSize]) -> dict[str, float]:
    """USD per job, by service."""
    p = PRICES
    lambda_cost = 0.0
    for function, count in usage.invocations.items():
        size = sizes.get(function, FunctionSize(128, 512))
        seconds = usage.duration_ms.get(function, 0.0) / 1000
        lambda_cost += count * p["lambda_request"]
        lambda_cost += seconds * size.memory_mb / 1024 * p["lambda_gb_second"]
        lambda_cost += (
            seconds * max(0, size.ephemeral_mb - 512) / 1024 * p["lambda_ephemeral_gb_second"]
        )
    api = sum(usage.invocations[f] for f in _HTTP_FUNCTIONS) * p["api_request"]
    s3_put = sum(n for (s, op), n in usage.calls.items() if s == "s3" and op in _S3_PUT_CLASS)
    s3_get = sum(n for (s, op), n in usage.calls.items() if s == "s3" and op in _S3_GET_CLASS)
    # The S3 notification, our sends, and the event source's receive + delete of each message.
    sqs = 1 + sum(n for (s, _), n in usage.calls.items() if s == "sqs")
    sqs += 2 * sum(usage.invocations[f] for f in _SQS_TRIGGERED)
    writes = sum(n for (s, op), n in usage.calls.items() if s == "dynamodb" and op in _DDB_WRITES)
    reads = sum(n for (s, op), n in usage.calls.items() if s == "dynamodb" and op in _DDB_READS)
    writes += 2 * usage.transact_items
    return {
        "Lambda": lambda_cost,
        "API Gateway": api,
        "S3 requests": s3_put * p["s3_put"] + s3_get * p["s3_get"],
        "SQS": sqs * p["sqs_request"],
        "DynamoDB": writes * p["dynamodb_write"] + reads * p["dynamodb_read"],
        "EventBridge": usage.events * p["eventbridge_event"],
    }


def storage_per_month(usage: JobUsage) -> float:
    """USD per job per month its input and result are kept (RetentionDays)."""
    return (usage.input_bytes + usage.output_bytes) / 1e9 * PRICES["s3_gb_month"]


# ------------------------------------------------------------------ measuring
def schema_csv(path: Path, columns: list[dict[str, Any]], rows: int, seed: int = 7) -> int:
    """`rows` valid rows of the model's schema (uniform within each column's range)."""
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(c["name"] for c in columns) + "\n")
        for start in range(0, rows, 100_000):
            count = min(100_000, rows - start)
            block = np.column_stack(
                [
                    np.round(rng.uniform(c.get("min") or 0, c.get("max") or 1, count), 4)
                    for c in columns
                ]
            )
            np.savetxt(out, block, delimiter=",", fmt="%.4f")
    return path.stat().st_size


def _poll(read: Callable[[], Any], done: Callable[[Any], bool], what: str, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done in {timeout:.0f} s (last: {value})")
        time.sleep(0.5)


def _usage(
    before: Mapping[str, int], records: Mapping[str, list[dict[str, Any]]], usage: JobUsage
) -> None:
    for function, lines in records.items():
        for line in lines[before.get(function, 0) :]:
            if "invocation" in line:
                usage.invocations[function] += 1
                usage.duration_ms[function] += float(line["invocation"]["duration_ms"])
                continue
            usage.calls[(line["service"], line["operation"])] += 1
            params = line.get("params") or {}
            usage.transact_items += len(params.get("TransactItems") or [])
            usage.events += len(params.get("EventBusNames") or [])


def measure_job(stack: Any, token: str, calls_dir: Path, workdir: Path, rows: int) -> JobUsage:
    """One job of `rows` rows through the API; what it made each function do."""
    from infra.local.aws_calls import read_records

    api = str(stack.outputs["ApiUrl"]).rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    model = requests.get(f"{api}/model", headers=headers, timeout=30).json()
    source = workdir / f"cost-{rows}.csv"
    size = schema_csv(source, model["columns"], rows)
    before = {f: len(lines) for f, lines in read_records(calls_dir).items()}
    started = time.monotonic()
    created = requests.post(
        f"{api}/jobs", json={"filename": "cost.csv"}, headers=headers, timeout=30
    ).json()
    with source.open("rb") as body:
        posted = requests.post(
            created["upload"]["url"],
            data=created["upload"]["fields"],
            files={"file": ("cost.csv", body, "text/csv")},
            timeout=600,
        )
    posted.raise_for_status()
    table = stack.client("dynamodb")
    key = {"job_id": {"S": created["job_id"]}}
    item = _poll(
        lambda: table.get_item(TableName=stack.outputs["JobsTableName"], Key=key).get("Item", {}),
        lambda item: item.get("status", {}).get("S") in ("SUCCEEDED", "FAILED", "REJECTED"),
        f"job of {rows} rows",
        timeout=1800,
    )
    seconds = time.monotonic() - started
    if item["status"]["S"] != "SUCCEEDED":
        raise RuntimeError(
            f"the job of {rows} rows ended {item['status']['S']}: {item.get('error')}"
        )
    requests.get(f"{api}/jobs/{created['job_id']}", headers=headers, timeout=30).raise_for_status()
    link = requests.get(
        f"{api}/jobs/{created['job_id']}/result", headers=headers, timeout=30
    ).json()
    output = requests.get(link["url"], timeout=600)
    output.raise_for_status()
    # The process invocation's line is written once its handler returned.
    _poll(
        lambda: read_records(calls_dir),
        lambda records: (
            sum(
                "invocation" in line
                for line in records.get("ProcessFunction", [])[before.get("ProcessFunction", 0) :]
            )
            >= 1
        ),
        "the process invocation's record",
        timeout=120,
    )
    usage = JobUsage(rows, size, len(output.content), seconds)
    _usage(before, read_records(calls_dir), usage)
    source.unlink()
    return usage


def measure(sizes: list[int]) -> list[JobUsage]:
    """A fresh local stack with recording on, one job per size."""
    from infra.build.smoke import sign_in
    from infra.build.stage import target
    from infra.build.user import ensure_user, generated_password
    from infra.local.ports import free_port
    from infra.local.runtime import LocalRuntime
    from infra.local.settings import LocalSettings

    with tempfile.TemporaryDirectory(prefix="batchscore-cost-") as work:
        workdir = Path(work)
        calls_dir = workdir / "aws-calls"
        overrides: dict[str, Any] = {
            "emulator_port": free_port(),
            "api_port": free_port(),
            "web_port": free_port(),
            "state_dir": workdir / "state",
            "record_aws_calls": calls_dir,
            "poll_wait_seconds": 1,
        }
        settings = LocalSettings(**overrides)
        runtime = LocalRuntime(settings)
        runtime.start()
        try:
            stack = target("local", settings.state_dir)
            username, password = f"cost-{uuid.uuid4().hex[:8]}@example.com", generated_password()
            ensure_user(
                stack.client("cognito-idp"),
                stack.outputs["UserPoolId"],
                username,
                password=password,
            )
            token = sign_in(stack, username, password)
            # Warm containers, as most of 1,000 jobs meet: the first job's imports are not billed here.
            measure_job(stack, token, calls_dir, workdir, WARMUP_ROWS)
            return [measure_job(stack, token, calls_dir, workdir, rows) for rows in sizes]
        finally:
            runtime.stop()


# ------------------------------------------------------------------ report
def report(usages: list[JobUsage], sizes: Mapping[str, FunctionSize]) -> str:
    lines = []
    header = f"{'per 1,000 jobs (USD)':<22}" + "".join(f"{u.rows:>14,} rows" for u in usages)
    lines.append(header)
    per_job = [cost_lines(u, sizes) for u in usages]
    for name in per_job[0]:
        lines.append(f"{name:<22}" + "".join(f"{1000 * c[name]:>19.4f}" for c in per_job))
    lines.append(f"{'total':<22}" + "".join(f"{1000 * sum(c.values()):>19.4f}" for c in per_job))
    lines.append(
        f"{'+ S3 storage / month':<22}"
        + "".join(f"{1000 * storage_per_month(u):>19.4f}" for u in usages)
    )
    lines.append("")
    lines.append("measured, per job:")
    for u in usages:
        durations = ", ".join(
            f"{f} {u.invocations[f]}x {u.duration_ms.get(f, 0.0) / max(1, u.invocations[f]):,.0f} ms"
            for f in sorted(u.invocations)
        )
        requests_seen = ", ".join(f"{s}.{op} {n}" for (s, op), n in sorted(u.calls.items()))
        lines.append(
            f"  {u.rows:,} rows: input {u.input_bytes / 1e6:,.1f} MB, result {u.output_bytes / 1e6:,.1f} MB, "
            f"{u.seconds_to_final:,.1f} s upload to final; {durations}; {requests_seen}"
        )
    lines.append(
        "memory (template): "
        + ", ".join(f"{name} {size.memory_mb} MB" for name, size in sorted(sizes.items()))
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000,100000,1000000")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    rows = [int(n) for n in args.rows.split(",")]
    usages = measure(rows)
    sizes = function_sizes(args.template)
    print(report(usages, sizes))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "rows": u.rows,
                        "cost_per_1000_jobs": {
                            k: 1000 * v for k, v in cost_lines(u, sizes).items()
                        },
                        "invocations": dict(u.invocations),
                        "duration_ms": dict(u.duration_ms),
                        "calls": {f"{s}.{op}": n for (s, op), n in u.calls.items()},
                    }
                    for u in usages
                ],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
