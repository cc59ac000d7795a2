"""An event's object key read by the function's parser, or logged and ignored outside its prefix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from batchscore_core.observability import logger

Parsed = TypeVar("Parsed")


def parse_or_ignore(key: str, parse: Callable[[str], Parsed | None], shape: str) -> Parsed | None:
    """`parse(key)`; None, with a warning naming the `shape` expected, for a key it does not read."""
    parsed = parse(key)
    if parsed is None:
        logger.warning(f"object outside {shape}: ignored", extra={"key": key})
    return parsed
