"""The job state machine: which state may follow which, and the DynamoDB condition of each move.

Every conditional write on a job's state takes its condition from here (boto3 conditions, no
hand-written expression strings), so the table below is the one place that decides.
"""

from __future__ import annotations

from collections.abc import Iterable

from boto3.dynamodb.conditions import Attr, ConditionBase

from batchscore_core.models import JobStatus

S = JobStatus

ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    S.AWAITING_UPLOAD: frozenset({S.QUEUED, S.REJECTED, S.FAILED}),
    # FAILED from QUEUED: the message exhausted its receives before any attempt could start.
    S.QUEUED: frozenset({S.PROCESSING, S.FAILED}),
    # QUEUED from PROCESSING: an attempt hit a transient error and hands the job back.
    # PROCESSING from PROCESSING: a new attempt takes over one whose lease ran out.
    S.PROCESSING: frozenset({S.SUCCEEDED, S.FAILED, S.REJECTED, S.QUEUED, S.PROCESSING}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset({S.QUEUED}),
    S.REJECTED: frozenset({S.QUEUED}),
}

RETRYABLE = frozenset({S.FAILED, S.REJECTED})


def sources_of(to_state: JobStatus) -> frozenset[JobStatus]:
    """Every state from which `to_state` may be reached."""
    return frozenset(state for state, targets in ALLOWED.items() if to_state in targets)


def allowed_sources(
    to_state: JobStatus, from_states: Iterable[JobStatus] | None = None
) -> frozenset[JobStatus]:
    """The states a move to `to_state` may start from, narrowed to `from_states` if given."""
    allowed = sources_of(to_state)
    return allowed if from_states is None else allowed & frozenset(from_states)


def exists() -> ConditionBase:
    return Attr("job_id").exists()


def in_states(states: Iterable[JobStatus]) -> ConditionBase:
    """The job exists and is in one of `states` (non-empty)."""
    values = sorted(state.value for state in states)
    return exists() & Attr("status").is_in(values)


def claim_condition(now: int) -> ConditionBase:
    """An attempt may start from every source of PROCESSING; from PROCESSING itself only once
    the running attempt's lease has run out (it died)."""
    condition: ConditionBase | None = None
    for source in sorted(sources_of(S.PROCESSING)):
        term: ConditionBase = Attr("status").eq(source.value)
        if source is S.PROCESSING:
            term = term & (Attr("lease_expires_at").not_exists() | Attr("lease_expires_at").lt(now))
        condition = term if condition is None else condition | term
    assert condition is not None
    return condition


def running() -> ConditionBase:
    """A running job's own writes (progress): refused once it left PROCESSING."""
    return Attr("status").eq(S.PROCESSING.value)
