"""The status function ships without the heavy model engine: importing it must stay light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("pandas", "sklearn", "numpy", "openpyxl")
PROBE = (
    "import sys, status_handler; "
    f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
)


def test_importing_the_status_handler_loads_no_heavy_library() -> None:
    # Given a fresh interpreter with the function's code and its layers on the path
    paths = [ROOT / "functions" / "status", ROOT / "layers" / "core", ROOT / "layers" / "model"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in paths)}

    # When it imports the handler
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )

    # Then none of pandas, scikit-learn, numpy or openpyxl was imported
    assert result.stdout.strip() == ""
