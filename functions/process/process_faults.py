"""What an error in a scoring attempt means for its job: it will happen again on every attempt
(end the job now) or it may not (hand the job back and retry soon, with backoff)."""

from __future__ import annotations

import csv
from enum import StrEnum

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from batchscore_core.models import JobError

# Client error codes that waiting can cure; any 5xx answer is treated the same.
_TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "InternalServerError",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "SlowDown",
        "ThrottledException",
        "Throttling",
        "ThrottlingException",
        "TransactionInProgressException",
    }
)
# What Python's csv and number parsing raise on input no attempt will ever read.
_BAD_INPUT = (csv.Error, UnicodeError, OverflowError)

BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 300


class Fault(StrEnum):
    TRANSIENT = "transient"  # hand back: QUEUED, the message comes back after a backoff
    BAD_INPUT = "bad_input"  # REJECTED at once
    BUG = "bug"  # FAILED at once


def classify(exc: BaseException) -> Fault:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if str(error.get("Code", "")) in _TRANSIENT_CODES or status >= 500:
            return Fault.TRANSIENT
        return Fault.BUG
    if isinstance(exc, ConnectionError | HTTPClientError | TimeoutError | OSError):
        # Connection refused or reset, timeouts, a full /tmp: the next container may do better.
        return Fault.TRANSIENT
    if isinstance(exc, _BAD_INPUT):
        return Fault.BAD_INPUT
    return Fault.BUG


# The messages users see: generic on purpose, the exception itself goes to the logs.
UNREADABLE_INPUT = JobError(code="unreadable_input", message="the file cannot be read as CSV")
INTERNAL_ERROR = JobError(
    code="internal_error",
    message="this file could not be scored because of an error on our side; it has been logged",
)
ATTEMPT_FAILED = JobError(
    code="attempt_failed", message="a temporary problem interrupted scoring: trying again soon"
)


def backoff_seconds(receive_count: int) -> int:
    """10 s, 20 s, 40 s, ... (capped) before the next receive of a handed-back message."""
    exponent = max(0, receive_count - 1)
    return int(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**exponent))
