"""Ingest and the status API stay light: their cold start must not pay for pandas or sklearn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("pandas", "numpy", "sklearn", "scipy", "openpyxl", "xlsxwriter")
FUNCTION_PATHS = ["layers/core", "layers/model", "functions/upload", "functions/status"]


def imported_modules(module: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing `module`."""
    code = (
        f"import sys, {module}; print('\\n'.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / path) for path in FUNCTION_PATHS),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def handler_modules() -> list[str]:
    modules = ["upload_handler"]
    if (ROOT / "functions" / "status" / "status_handler.py").exists():
        modules.append("status_handler")
    return modules


@pytest.mark.parametrize("module", handler_modules())
def test_handler_module_imports_no_heavy_package(module: str) -> None:
    # Given a fresh interpreter with only the function's code and layers on the path
    # When the handler module is imported
    loaded = imported_modules(module)

    # Then none of the scoring engine's heavy packages came with it
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
