"""`make coldstart`: each handler's initialisation in fresh processes, beside `import boto3`.

As Lambda runs them: a fresh interpreter, no bytecode written (`-B`: only the `.pyc` the build
ships is used), the function's folder and the layers on `sys.path`, then the runtime's boto3
(`--runtime-dir`, Lambda's /var/runtime). Process and predict also load the default model
bundle, as their first invocation does. From a `sam build` output (`--build-dir
.aws-sam/build`, run with its Python 3.12: the build as shipped, bytecode included) or, by
default, from the source tree. The runs go round-robin (boto3, upload, status, ...) so that the
machine's load drifts over all of them alike; each figure is the median of `--repeat`. On a
shared machine wall time measures the neighbours too: CPU time (the child's own) is what the
targets are judged on, as a ratio to the `import boto3` of the same run (the issue's machine:
boto3 ~100-130 ms, so upload/status <= 250 ms is ~2x and process/predict <= 1.2 s ~9.5x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bundles come from the registry (S3) in the functions; here the seed champion is read from disk.
SEED_LOAD = (
    "from pathlib import Path; from batchscore_model.bundle import load_bundle; "
    f"load_bundle(Path({str(ROOT / 'layers' / 'model' / 'bundle')!r}))"
)

# name -> (function folder in the source tree, SAM logical id, module, code run after import)
HANDLERS = {
    "upload": ("functions/upload", "UploadFunction", "upload_handler", ""),
    "status": ("functions/status", "StatusFunction", "status_handler", ""),
    "process": (
        "functions/process",
        "ProcessFunction",
        "process_handler",
        SEED_LOAD,
    ),
    "predict": (
        "functions/predict",
        "PredictFunction",
        "predict_handler",
        SEED_LOAD,
    ),
}
LAYERS = ("layers/core", "layers/model")
ENV = {
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "JOBS_TABLE_NAME": "jobs",
    "IDEMPOTENCY_TABLE_NAME": "idempotency",
    "DATA_BUCKET_NAME": "data",
    "JOBS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/000000000000/jobs",
    "WEBHOOK_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/000000000000/webhooks",
    "EVENT_BUS_NAME": "default",
    "POWERTOOLS_SERVICE_NAME": "batchscore",
    "POWERTOOLS_METRICS_NAMESPACE": "batchscore",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


# The targets in ms, on a machine where `import boto3` takes about REFERENCE_MS: read as
# ratios to the boto3 measured in the same run.
REFERENCE_MS = 125
TARGET_MS = {"upload": 250, "status": 250, "process": 1200, "predict": 1200}


def paths(name: str, build_dir: Path | None, runtime_dir: Path | None = None) -> list[str]:
    folder, logical_id, _, _ = HANDLERS[name]
    runtime = [str(runtime_dir)] if runtime_dir else []
    if build_dir is None:
        return [str(ROOT / folder), *(str(ROOT / layer) for layer in LAYERS), *runtime]
    layers = [build_dir / layer / "python" for layer in ("CoreLayer", "ModelLayer", "ScoringLayer")]
    return [str(build_dir / logical_id), *(str(layer) for layer in layers), *runtime]


def once(python: str, path: list[str], code: str) -> tuple[float, float]:
    """(wall, CPU) seconds of `code` in a fresh interpreter with `path` first on sys.path."""
    timed = (
        "import sys, time\n"
        f"sys.path[:0] = {path!r}\n"
        "started, cpu = time.perf_counter(), time.process_time()\n"
        f"{code}\n"
        "print(time.perf_counter() - started, time.process_time() - cpu)\n"
    )
    env = {**os.environ, **ENV, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""}
    done = subprocess.run(
        [python, "-B", "-c", timed], check=True, capture_output=True, text=True, env=env
    )
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def lambda_runtime(python: str, directory: Path) -> Path:
    """boto3 for `python` as Lambda's runtime ships it (/var/runtime), installed once, pinned."""
    if not (directory / "boto3").is_dir():
        pins = [
            line.strip()
            for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines()
            if line.startswith(("boto3==", "botocore=="))
        ]
        print(f"installing {' '.join(pins)} for {python} into {directory}")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--target", str(directory), *pins],
            check=True,
        )
    return directory


def verdict(name: str, ratio: float) -> str:
    target = TARGET_MS[name] / REFERENCE_MS
    met = "met" if ratio <= target else "MISSED"
    return f"target <= {target:.1f}x ({TARGET_MS[name]} ms at boto3 = {REFERENCE_MS} ms): {met}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument(
        "--runtime-dir",
        type=Path,
        default=None,
        help="boto3 as Lambda's runtime has it (with --build-dir: <build-dir>/../runtime, made once)",
    )
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    version = subprocess.run(
        [args.python, "-c", "import sys; print(sys.version.split()[0])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if args.build_dir is not None and args.runtime_dir is None:
        args.runtime_dir = lambda_runtime(args.python, args.build_dir.parent / "runtime")
    source = args.build_dir or "the source tree"
    print(f"Python {version}, code from {source}, load average {load:.1f}")
    runs = {"boto3": (paths("upload", args.build_dir, args.runtime_dir), "import boto3")}
    for name, (_, _, module, after) in HANDLERS.items():
        runs[name] = (paths(name, args.build_dir, args.runtime_dir), f"import {module}\n{after}")
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(args.repeat):  # round-robin: load drift falls on every figure alike
        for name, (path, code) in runs.items():
            samples[name].append(once(args.python, path, code))
    wall = {name: statistics.median(w for w, _ in runs_) for name, runs_ in samples.items()}
    cpu = {name: statistics.median(c for _, c in runs_) for name, runs_ in samples.items()}
    for name in runs:
        line = f"{name:>8}: wall {wall[name] * 1000:5.0f} ms, CPU {cpu[name] * 1000:5.0f} ms"
        if name != "boto3":
            ratio = cpu[name] / cpu["boto3"]
            line += f" = {ratio:4.1f}x import boto3; {verdict(name, ratio)}"
        print(line)
    summary: dict[str, float] = {f"{name}_ms": round(cpu[name] * 1000) for name in runs}
    summary |= {f"{name}_x": round(cpu[name] / cpu["boto3"], 2) for name in TARGET_MS}
    print(" ".join(f"{key}={value}" for key, value in summary.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
