"""Each handler's init leaves the cyclic collector on, with what its imports made frozen: later
collections (the first comes with the first allocations after init) skip those long-lived
objects instead of walking them all (README, cold starts).
"""

from __future__ import annotations

import json

import pytest

from tests.unit.functions.fresh_interpreter import after_handler_import, handler_names

REPORT = (
    "import gc, json\n"
    "print(json.dumps({'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count(),"
    " 'tracked': len(gc.get_objects())}))\n"
)


@pytest.mark.parametrize("handler", handler_names())
def test_init_leaves_the_collector_on_and_the_imports_frozen(handler: str) -> None:
    # Given a fresh interpreter with the function's folder and the layers on the path
    # When the handler is imported
    state = json.loads(after_handler_import(handler, REPORT))

    # Then the collector is back on and the objects it would walk are mostly frozen
    assert state["enabled"] is True
    assert state["frozen"] > 10 * state["tracked"], state
