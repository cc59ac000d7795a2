"""A one-line progress display on stderr while waiting for a job: status, rows, bar, elapsed
time, rows per second and the estimated time left."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

WIDTH = 30


def describe(job: dict[str, Any]) -> str:
    """Status and rows, with a bar once the total is known."""
    status = str(job.get("status", "?"))
    done = int(job.get("rows_done") or 0)
    total = job.get("rows_total")
    if not total:
        return f"{status:<15} {done:,} rows"
    share = min(done / int(total), 1.0)
    filled = int(share * WIDTH)
    bar = "#" * filled + "." * (WIDTH - filled)
    return f"{status:<15} [{bar}] {done:,}/{int(total):,} rows {share:4.0%}"


def format_seconds(seconds: float) -> str:
    """`4.2 s`, `1 min 05 s`, `2 h 03 min`."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Pace:
    """Elapsed time since waiting began; rows per second and time left from what was seen
    while the job was PROCESSING (measured on this machine's clock, not the server's)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._began = clock()
        self._first: tuple[float, int] | None = None  # (when, rows) first seen processing

    def timing(self, job: dict[str, Any]) -> str:
        now = self._clock()
        parts = [f"elapsed {format_seconds(now - self._began)}"]
        done = int(job.get("rows_done") or 0)
        total = job.get("rows_total")
        if job.get("status") != "PROCESSING":
            return "  ".join(parts)
        if self._first is None:
            self._first = (now, done)
            return "  ".join(parts)
        since, rows_then = self._first
        if now > since and done > rows_then:
            rate = (done - rows_then) / (now - since)
            parts.append(f"{rate:,.0f} rows/s")
            if total and int(total) > done:
                parts.append(f"ETA {format_seconds((int(total) - done) / rate)}")
        return "  ".join(parts)


class ProgressBar:
    """Redraws in place on a terminal; elsewhere (CI logs) prints a line only when the status
    or the rows change, each with its timing."""

    def __init__(
        self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()
        self._pace = Pace(clock)
        self._last = ""
        self._drawn = ""

    def update(self, job: dict[str, Any]) -> None:
        state = describe(job)
        text = f"{state}  {self._pace.timing(job)}"
        if self._live:
            self._stream.write("\r" + text.ljust(len(self._drawn)))
        elif state != self._last:
            self._stream.write(text + "\n")
        else:
            return
        self._stream.flush()
        self._last, self._drawn = state, text

    def close(self) -> None:
        if self._live and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
