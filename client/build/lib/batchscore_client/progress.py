"""A one-line progress bar on stderr (rows done / total) while waiting for a job."""

from __future__ import annotations

import sys
from typing import Any, TextIO

WIDTH = 30


def describe(job: dict[str, Any]) -> str:
    status = str(job.get("status", "?"))
    done = int(job.get("rows_done") or 0)
    total = job.get("rows_total")
    if not total:
        return f"{status:<15} {done:,} rows"
    share = min(done / int(total), 1.0)
    filled = int(share * WIDTH)
    bar = "#" * filled + "." * (WIDTH - filled)
    return f"{status:<15} [{bar}] {done:,}/{int(total):,} rows {share:4.0%}"


class ProgressBar:
    """Redraws in place on a terminal; elsewhere (CI logs) prints a line only when it changes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()
        self._last = ""

    def update(self, job: dict[str, Any]) -> None:
        text = describe(job)
        if text == self._last:
            return
        if self._live:
            self._stream.write("\r" + text.ljust(len(self._last)))
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
        self._last = text

    def close(self) -> None:
        if self._live and self._last:
            self._stream.write("\n")
            self._stream.flush()
