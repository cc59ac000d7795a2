"""Domain errors raised by the core adapters; the API maps each to one HTTP status."""

from __future__ import annotations

from batchscore_core.models import JobStatus


class BatchscoreError(Exception):
    code = "internal_error"


class JobNotFound(BatchscoreError):
    code = "job_not_found"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} not found")
        self.job_id = job_id


class JobAlreadyExists(BatchscoreError):
    code = "job_exists"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} already exists")
        self.job_id = job_id


class InvalidTransition(BatchscoreError):
    code = "invalid_transition"

    def __init__(self, job_id: str, to_state: JobStatus, current: JobStatus | None = None) -> None:
        now = f" (it is {current.value})" if current else ""
        super().__init__(f"job {job_id} cannot move to {to_state.value}{now}")
        self.job_id = job_id
        self.to_state = to_state
        self.current = current


class ResultNotReady(BatchscoreError):
    code = "result_not_ready"

    def __init__(self, job_id: str, status: JobStatus) -> None:
        super().__init__(f"job {job_id} has no result: it is {status.value}")
        self.job_id = job_id
        self.status = status
