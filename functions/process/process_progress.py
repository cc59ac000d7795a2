"""Progress of a running job: the first report at once, then at most one write per interval."""

from __future__ import annotations

import time
from collections.abc import Callable

from batchscore_core.errors import InvalidTransition, JobNotFound
from batchscore_core.transitions import Transitions


class RunAbandoned(Exception):
    """The job left PROCESSING under us (deleted, or taken over): stop without a trace."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} is no longer ours")
        self.job_id = job_id


class ProgressReporter:
    """The engine's `progress(rows_done, bytes_read)` callback.

    Until the end, the total is estimated from the share of the input's bytes read so far.
    The first chunk's report is written at once, so a watcher sees a bar (and an estimated total)
    as soon as scoring has begun, not only after the first interval.
    """

    def __init__(
        self,
        life: Transitions,
        job_id: str,
        *,
        total_bytes: int,
        interval_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._life = life
        self._job_id = job_id
        self._total_bytes = total_bytes
        self._interval = interval_seconds
        self._clock = clock
        self._last_write: float | None = None

    def __call__(self, rows_done: int, bytes_read: int) -> None:
        now = self._clock()
        if self._last_write is not None and now - self._last_write < self._interval:
            return
        self._last_write = now
        try:
            self._life.report_progress(
                self._job_id, rows_done, estimate_total(rows_done, bytes_read, self._total_bytes)
            )
        except (InvalidTransition, JobNotFound) as exc:
            raise RunAbandoned(self._job_id) from exc


def estimate_total(rows_done: int, bytes_read: int, total_bytes: int) -> int | None:
    if bytes_read <= 0 or total_bytes <= 0:
        return None
    return max(rows_done, round(rows_done * total_bytes / bytes_read))
