"""Handlers import only what their function ships: ingest and the status API stay light (no
pandas or scikit-learn in their cold start), and the DLQ and webhook functions run with the core
layer only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HEAVY = {"pandas", "numpy", "sklearn", "scipy", "openpyxl", "xlsxwriter"}

# module -> what Lambda puts on its sys.path (the function's code and its layers)
LIGHT_HANDLERS = {
    "upload_handler": ["functions/upload", "layers/core", "layers/model"],
    "status_handler": ["functions/status", "layers/core", "layers/model"],
    "dlq_handler": ["functions/dlq", "layers/core"],
    "webhook_handler": ["functions/webhook", "layers/core"],
}


def imported_packages(module: str, paths: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing `module`."""
    code = (
        f"import sys, {module}; print('\\n'.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / path) for path in paths),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-P", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def present(module: str, paths: list[str]) -> bool:
    return (ROOT / paths[0] / f"{module}.py").exists()


@pytest.mark.parametrize(
    ("module", "paths"),
    [(module, paths) for module, paths in LIGHT_HANDLERS.items() if present(module, paths)],
)
def test_handler_module_imports_no_heavy_package(module: str, paths: list[str]) -> None:
    # Given a fresh interpreter with only the function's code and layers on the path
    # When the handler module is imported
    loaded = imported_packages(module, paths)

    # Then none of the scoring engine's heavy packages came with it
    assert loaded.isdisjoint(HEAVY), sorted(loaded & HEAVY)
