"""The job state machine: which state may follow which."""

from __future__ import annotations

from batchscore_core.models import JobStatus

S = JobStatus

ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    S.AWAITING_UPLOAD: frozenset({S.QUEUED, S.REJECTED, S.FAILED}),
    # FAILED from QUEUED: the message exhausted its receives before any attempt could start.
    S.QUEUED: frozenset({S.PROCESSING, S.FAILED}),
    # QUEUED from PROCESSING: an attempt failed and hands the job back to the queue's retries.
    S.PROCESSING: frozenset({S.SUCCEEDED, S.FAILED, S.REJECTED, S.QUEUED, S.PROCESSING}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset({S.QUEUED}),
    S.REJECTED: frozenset({S.QUEUED}),
}

RETRYABLE = frozenset({S.FAILED, S.REJECTED})


def can_move(from_state: JobStatus, to_state: JobStatus) -> bool:
    return to_state in ALLOWED[from_state]


def sources_of(to_state: JobStatus) -> frozenset[JobStatus]:
    """Every state from which `to_state` may be reached."""
    return frozenset(state for state, targets in ALLOWED.items() if to_state in targets)
