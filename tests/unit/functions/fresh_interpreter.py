"""What a fresh interpreter holds after running a handler's cold path, as Lambda would start it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def output_of(code: str, paths: list[str]) -> str:
    """What `code` prints in a fresh interpreter with only `paths` (below the root) importable."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / path) for path in paths),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    done = subprocess.run(
        [sys.executable, "-P", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def modules_after(code: str, paths: list[str]) -> set[str]:
    """The names in `sys.modules` once `code` ran with only `paths` (below the root) importable."""
    return set(output_of(f"{code}\nimport sys\nprint('\\n'.join(sys.modules))\n", paths).split())
