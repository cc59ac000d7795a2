"""`python -m bench.cold_start`: time to the first scored row of a cold process function.

A moto server stands in for AWS; the registry is seeded as `make run` seeds it, plus, with
`--large-mb N`, a generated forest of about N MB. Each measurement is a fresh interpreter that
imports the process handler, fetches the version from S3 into an empty /tmp cache, verifies and
loads it, and scores one row, as a cold ProcessFunction does before its first row.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["layers/core", "layers/model", "functions/process", "."]

CHILD = """
import json, sys, time
started = time.perf_counter()
import process_handler
from batchscore_model import loaded
from batchscore_core.registry_models import ModelRef
imported = time.perf_counter()
bundle = loaded.model_bundle(ModelRef(name=sys.argv[1], version=sys.argv[2]))
loaded = time.perf_counter()
import pandas as pd
row = pd.DataFrame([{c.name: (c.min + c.max) / 2 for c in bundle.info.columns}])
bundle.predict_frame(row)
scored = time.perf_counter()
print(json.dumps({"import_s": imported - started, "fetch_and_load_s": loaded - imported,
                  "first_row_s": scored - loaded, "total_s": scored - started}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-mb", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)

    from moto.server import ThreadedMotoServer

    from infra.local.ports import free_port
    from infra.local.provision import provision
    from infra.local.template import StackTemplate

    port = args.port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
        }
    )
    try:
        stack = StackTemplate.load(
            ROOT / "template.yaml",
            stack_name="bench",
            region="us-east-1",
            account_id="123456789012",
        )
        provision(stack, lambda service: boto3.client(service), url)  # type: ignore[call-overload]
        env = {
            **os.environ,
            "MODELS_TABLE_NAME": str(stack.resolver.ref("ModelsTable")),
            "DATA_BUCKET_NAME": str(stack.resolver.ref("DataBucket")),
            "JOBS_TABLE_NAME": str(stack.resolver.ref("JobsTable")),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in PATHS),
        }
        os.environ.update(env)
        from batchscore_core import adapters
        from infra.local.seed_models import Registry, seed_models

        registry = Registry(
            adapters.model_registry(), adapters.model_files(), adapters.model_events()
        )
        seed_models(registry)
        targets = [("breast-cancer", registry.models.get_model("breast-cancer").champion)]
        if args.large_mb:
            from batchscore_core.registry_publish import publish_bundle
            from batchscore_model.bundle_check import check_bundle
            from infra.local.seed_models import to_publish
            from tests.e2e.large_bundle import large_forest_bundle

            with tempfile.TemporaryDirectory() as scratch:
                directory = large_forest_bundle(
                    Path(scratch) / "b", "large-v1", target_mb=args.large_mb
                )
                record = publish_bundle(
                    to_publish("large", check_bundle(directory)),
                    registry=registry.models,
                    files=registry.files,
                    events=registry.events,
                    by="bench",
                    claim_id="bench",
                )
                size = (directory / "model.skops").stat().st_size
            print(f"published large-v1: model.skops {size / 1e6:.0f} MB")
            targets.append(("large", record.version))
        for name, version in targets:
            with tempfile.TemporaryDirectory() as tmp:
                result = subprocess.run(
                    [sys.executable, "-B", "-c", CHILD, name, version],
                    env={**env, "TMPDIR": tmp},
                    capture_output=True,
                    text=True,
                    check=True,
                )
            timings = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{name}@{version}: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
