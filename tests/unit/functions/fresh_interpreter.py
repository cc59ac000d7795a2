"""What a fresh interpreter holds after running a handler's cold path, as Lambda would start it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from bench.coldstart import ENV

ROOT = Path(__file__).resolve().parents[3]
LAYERS = ["layers/core", "layers/model"]
LIST_MODULES = "import sys\nprint('\\n'.join(sys.modules))\n"


def output_of(code: str, paths: list[str], env: Mapping[str, str] | None = None) -> str:
    """What `code` prints in a fresh interpreter with only `paths` (below the root) importable
    and `env` set beside this process's environment."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / path) for path in paths),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-P", "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def modules_after(code: str, paths: list[str]) -> set[str]:
    """The names in `sys.modules` once `code` ran with only `paths` (below the root) importable."""
    return set(output_of(f"{code}\n{LIST_MODULES}", paths).split())


def handler_names() -> list[str]:
    """Every function's handler module, without `_handler` (train and train_data share a folder)."""
    return sorted(
        path.stem.removesuffix("_handler") for path in ROOT.glob("functions/*/*_handler.py")
    )


def after_handler_import(name: str, code: str = "") -> str:
    """What `code` prints once `<name>_handler` is imported in a fresh interpreter as Lambda starts
    the function: its folder and the layers importable, the functions' environment set."""
    (handler,) = ROOT.glob(f"functions/*/{name}_handler.py")
    folder = str(handler.parent.relative_to(ROOT))
    return output_of(f"import {name}_handler\n{code}", [folder, *LAYERS], env=ENV)


def handler_modules(name: str, then: str = "") -> set[str]:
    """The names in `sys.modules` once `<name>_handler` is imported and `then` ran."""
    return set(after_handler_import(name, f"{then}\n{LIST_MODULES}").split())
