"""`make coldstart`: each handler's initialisation in fresh processes, beside `import boto3`.

As Lambda runs them: a fresh interpreter, no bytecode written (`-B`, and nothing cached unless
the code ships `.pyc`), the function's folder and the layers on `sys.path`. Process and predict
also load the default model bundle, as their first invocation does. From a `sam build` output
(`--build-dir .aws-sam/build`, run with its Python 3.12) or, by default, from the source tree.
Timings on a shared machine drift; the ratio to the `import boto3` measured in the same run is
what holds. Each figure is the median of `--repeat` fresh processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (function folder in the source tree, SAM logical id, module, code run after import)
HANDLERS = {
    "upload": ("functions/upload", "UploadFunction", "upload_handler", ""),
    "status": ("functions/status", "StatusFunction", "status_handler", ""),
    "process": (
        "functions/process",
        "ProcessFunction",
        "process_handler",
        "from batchscore_model.loaded import model_bundle; model_bundle()",
    ),
    "predict": (
        "functions/predict",
        "PredictFunction",
        "predict_handler",
        "from batchscore_model.loaded import model_bundle; model_bundle()",
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


def paths(name: str, build_dir: Path | None) -> list[str]:
    folder, logical_id, _, _ = HANDLERS[name]
    if build_dir is None:
        return [str(ROOT / folder), *(str(ROOT / layer) for layer in LAYERS)]
    layers = [build_dir / layer / "python" for layer in ("CoreLayer", "ModelLayer")]
    return [str(build_dir / logical_id), *(str(layer) for layer in layers)]


def once(python: str, path: list[str], code: str) -> float:
    timed = (
        "import sys, time\n"
        f"sys.path[:0] = {path!r}\n"
        "started = time.perf_counter()\n"
        f"{code}\n"
        "print(time.perf_counter() - started)\n"
    )
    env = {**os.environ, **ENV, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""}
    if "MODEL_BUNDLE_DIR" not in os.environ and path[-1].endswith("python"):
        env["MODEL_BUNDLE_DIR"] = str(Path(path[-1]) / "bundle")
    done = subprocess.run(
        [python, "-B", "-c", timed], check=True, capture_output=True, text=True, env=env
    )
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=None)
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
    source = args.build_dir or "the source tree"
    print(f"Python {version}, code from {source}, load average {load:.1f}")
    reference_path = paths("upload", args.build_dir)
    results = {
        "boto3": statistics.median(
            once(args.python, reference_path, "import boto3") for _ in range(args.repeat)
        )
    }
    for name, (_, _, module, after) in HANDLERS.items():
        code = f"import {module}\n{after}"
        path = paths(name, args.build_dir)
        results[name] = statistics.median(once(args.python, path, code) for _ in range(args.repeat))
    reference = results["boto3"]
    for name, seconds in results.items():
        print(f"{name:>8}: {seconds * 1000:7.0f} ms  ({seconds / reference:4.1f}x import boto3)")
    print(json.dumps({name: round(seconds * 1000) for name, seconds in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
