"""One place that writes the runtime's output, so lines from many threads never interleave."""

from __future__ import annotations

import logging
import sys
import threading
from typing import IO

_lock = threading.Lock()


def emit(line: str, stream: IO[str] | None = None) -> None:
    target = stream or sys.stdout
    with _lock:
        target.write(line.rstrip("\n") + "\n")
        target.flush()


def pump_prefixed(source: IO[bytes], prefix: str) -> None:
    """Copy a worker's output line by line, each line tagged with its function's name."""
    for raw in iter(source.readline, b""):
        emit(f"[{prefix}] {raw.decode('utf-8', errors='replace').rstrip()}")
    source.close()


class EmitHandler(logging.Handler):
    """Log records of the runtime itself, tagged `[runtime]`, through `emit`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        emit(f"[runtime] {text}")


def configure_logging(level: int = logging.INFO) -> None:
    handler = EmitHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("infra.local")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
