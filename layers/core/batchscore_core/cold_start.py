"""A handler's cold path: its imports make objects that live as long as the container.

While they run, the cyclic collector is off: collecting during them was 6-9% of an init's CPU,
spent on objects none of which were garbage. Then they are frozen (`gc.freeze()`), so that no
later collection walks them again, and the collector is back on. The figures: README, cold
starts (`make coldstart`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_imports() -> Iterator[None]:
    """Wrap a handler's imports: no collection while they run, none walking them afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
