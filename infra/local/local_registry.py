"""The local stack's model registry: the seed models published into the emulator at start.

Publishing checks each bundle with scikit-learn and skops, so it runs in a child process with
the layers on its path (as a function would), keeping the runtime itself free of them.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

from infra.local.errors import LocalRuntimeError
from infra.local.settings import LOCAL_CREDENTIAL, REPO_ROOT
from infra.local.template import StackTemplate

log = logging.getLogger("infra.local")

ADMINS_GROUP = "admins"
LAYER_PATHS = ("layers/core", "layers/model")
RECIPES_PATH = "functions/train"  # the training plans come from the recipes


def seed_local_registry(stack: StackTemplate, emulator_url: str, region: str) -> list[str]:
    """`name@version (alias)` of each seed version; nothing when the template has no registry."""
    declared = {resource.logical_id for resource in stack.resources()}
    if not {"ModelsTable", "DataBucket"} <= declared:
        return []
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("AWS_")},
        "PYTHONPATH": os.pathsep.join(
            [
                str(REPO_ROOT),
                *(str(REPO_ROOT / path) for path in LAYER_PATHS),
                str(REPO_ROOT / RECIPES_PATH),
            ]
        ),
        "AWS_ENDPOINT_URL": emulator_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIAL,
        "MODELS_TABLE_NAME": str(stack.resolver.ref("ModelsTable")),
        "DATA_BUCKET_NAME": str(stack.resolver.ref("DataBucket")),
        "JOBS_TABLE_NAME": "-",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "RETRAIN_SCHEDULE": str(stack.resolver.resolve({"Ref": "RetrainSchedule"}))
        if "RetrainSchedule" in (stack.document.get("Parameters") or {})
        else "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "infra.local.seed_models"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LocalRuntimeError(f"seeding the model registry failed:\n{result.stderr[-4000:]}")
    summary: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    log.info("model registry seeded: %s", ", ".join(summary))
    return summary
