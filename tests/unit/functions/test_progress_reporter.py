from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from process_progress import ProgressReporter, RunAbandoned, estimate_total

from batchscore_core.errors import InvalidTransition
from batchscore_core.models import JobStatus

JOB_ID = "0123456789abcdef0123456789abcdef"


@dataclass
class RecordingTransitions:
    writes: list[tuple[str, int, int | None]] = field(default_factory=list)
    refuse: bool = False

    def report_progress(self, job_id: str, rows_done: int, rows_total: int | None) -> None:
        if self.refuse:
            raise InvalidTransition(job_id, JobStatus.PROCESSING, JobStatus.FAILED)
        self.writes.append((job_id, rows_done, rows_total))


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def reporter(
    store: RecordingTransitions, clock: ManualClock, interval: float = 2.0
) -> ProgressReporter:
    return ProgressReporter(
        store,  # type: ignore[arg-type]
        JOB_ID,
        total_bytes=1000,
        interval_seconds=interval,
        clock=clock,
    )


def test_the_first_report_is_written_at_once() -> None:
    # Given a reporter with a 2 s interval, just created
    store, clock = RecordingTransitions(), ManualClock()
    progress = reporter(store, clock)

    # When the engine reports its first chunk right away
    progress(50, 250)

    # Then the job gets the rows done and the estimated total without waiting for the interval
    assert store.writes == [(JOB_ID, 50, 200)]


def test_progress_is_written_again_once_the_interval_has_passed() -> None:
    # Given a reporter with a 2 s interval that wrote its first report
    store, clock = RecordingTransitions(), ManualClock()
    progress = reporter(store, clock)
    progress(50, 250)

    # When the engine reports again after 2.5 s
    clock.now += 2.5
    progress(100, 500)

    # Then that report is written too
    assert store.writes == [(JOB_ID, 50, 200), (JOB_ID, 100, 200)]


def test_progress_within_the_interval_is_not_written() -> None:
    # Given a reporter that just wrote
    store, clock = RecordingTransitions(), ManualClock()
    progress = reporter(store, clock)
    clock.now += 3
    progress(10, 100)

    # When the engine reports again a second later
    clock.now += 1
    progress(20, 200)

    # Then nothing more is written
    assert len(store.writes) == 1


def test_a_job_that_left_processing_abandons_the_run() -> None:
    # Given a job that was deleted or taken over meanwhile
    store, clock = RecordingTransitions(refuse=True), ManualClock()
    progress = reporter(store, clock, interval=0)

    # When progress is reported
    # Then the run is abandoned
    with pytest.raises(RunAbandoned):
        progress(10, 100)


def test_the_total_is_extrapolated_from_the_bytes_read() -> None:
    # Given a quarter of the bytes read holding 30 rows
    # When the total is estimated
    total = estimate_total(30, 250, 1000)

    # Then it is four times as many
    assert total == 120


def test_no_total_is_guessed_before_any_byte_is_read() -> None:
    # Given nothing read yet
    # When the total is estimated
    total = estimate_total(0, 0, 1000)

    # Then there is no estimate
    assert total is None
