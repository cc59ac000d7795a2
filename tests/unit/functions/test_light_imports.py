"""Handlers import only what their function ships: ingest and the status API stay light (no
pandas or scikit-learn in their cold start), and the DLQ and webhook functions run with the core
layer only."""

from __future__ import annotations

import pytest

from tests.unit.functions.fresh_interpreter import ROOT, modules_after

HEAVY = {"pandas", "numpy", "sklearn", "scipy", "openpyxl", "xlsxwriter"}

# module -> what Lambda puts on its sys.path (the function's code and its layers)
LIGHT_HANDLERS = {
    "upload_handler": ["functions/upload", "layers/core", "layers/model"],
    "status_handler": ["functions/status", "layers/core", "layers/model"],
    "dlq_handler": ["functions/dlq", "layers/core"],
    "webhook_handler": ["functions/webhook", "layers/core"],
    "registry_handler": ["functions/registry", "layers/core"],
}


def imported_packages(module: str, paths: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing `module`."""
    return {name.split(".")[0] for name in modules_after(f"import {module}", paths)}


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
