"""Each handler's init leaves the cyclic collector on, with what its imports made frozen: later
collections (the first comes with the first allocations after init) skip those long-lived
objects instead of walking them all (README, cold starts).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.coldstart import ENV
from tests.unit.functions.fresh_interpreter import ROOT, output_of

HANDLERS = sorted(Path(ROOT, "functions").glob("*/*_handler.py"))
REPORT = (
    "import gc, json\n"
    "print(json.dumps({'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count(),"
    " 'tracked': len(gc.get_objects())}))\n"
)


@pytest.mark.parametrize("handler", HANDLERS, ids=[path.stem for path in HANDLERS])
def test_init_leaves_the_collector_on_and_the_imports_frozen(
    handler: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a fresh interpreter with the function's folder and the layers on the path
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    folder = str(handler.parent.relative_to(ROOT))

    # When the handler is imported
    state = json.loads(
        output_of(f"import {handler.stem}\n{REPORT}", [folder, "layers/core", "layers/model"])
    )

    # Then the collector is back on and the objects it would walk are mostly frozen
    assert state["enabled"] is True
    assert state["frozen"] > 10 * state["tracked"], state
