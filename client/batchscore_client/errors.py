"""What can go wrong for a client, each with the exit code the CLI uses for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Detail:
    """One problem, as the API reports it: in the input (`line`, `column`) or the request."""

    message: str
    line: int | None = None
    column: str | None = None
    field: str | None = None  # request problems name the field (`callback_url`) instead

    @classmethod
    def from_json(cls, raw: Any) -> Detail:
        if not isinstance(raw, dict):
            return cls(message=str(raw))
        line = raw.get("line")
        column = raw.get("column")
        field = raw.get("field")
        return cls(
            message=str(raw.get("message", "")),
            line=int(line) if isinstance(line, int) else None,
            column=str(column) if column is not None else None,
            field=str(field) if field else None,
        )


class BatchscoreClientError(Exception):
    exit_code = 1
    code = "client_error"


class ConfigError(BatchscoreClientError):
    """A setting is missing or wrong (API URL, Cognito client id, ...)."""

    exit_code = 2
    code = "config_error"


class AuthError(BatchscoreClientError):
    """Logging in failed, or the saved credentials can no longer be refreshed."""

    exit_code = 3
    code = "auth_error"


class ApiError(BatchscoreClientError):
    """The API answered with an error: `{"error": {"code", "message", "details"}}`."""

    def __init__(
        self, status: int, code: str, message: str, details: list[Detail] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.exit_code = {401: 3, 403: 3, 404: 4}.get(status, 1)

    @classmethod
    def from_response(cls, status: int, payload: Any) -> ApiError:
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            message = payload.get("message") if isinstance(payload, dict) else None
            return cls(status, f"http_{status}", str(message or f"the API answered HTTP {status}"))
        details = [Detail.from_json(d) for d in error.get("details") or []]
        return cls(
            status,
            str(error.get("code") or f"http_{status}"),
            str(error.get("message") or f"the API answered HTTP {status}"),
            details,
        )


class TransferError(BatchscoreClientError):
    """The upload to or download from S3 (presigned URL) failed."""

    code = "transfer_error"


class FileTooLarge(TransferError):
    """The file is over the service's upload limit: refused before it is sent."""

    exit_code = 2
    code = "file_too_large"


class JobDidNotSucceed(BatchscoreClientError):
    """A waited-for job ended FAILED or REJECTED; `job` holds its error report."""

    exit_code = 5

    def __init__(self, job: dict[str, Any]) -> None:
        error = job.get("error") or {}
        super().__init__(
            f"job {job.get('job_id')} is {job.get('status')}: {error.get('message', 'no reason given')}"
        )
        self.job = job
        self.code = str(error.get("code") or f"job_{str(job.get('status', '')).lower()}")
        self.details = [Detail.from_json(d) for d in error.get("details") or []]


class WaitTimedOut(BatchscoreClientError):
    exit_code = 6
    code = "wait_timed_out"

    def __init__(self, job_id: str, seconds: float) -> None:
        super().__init__(f"job {job_id} did not finish within {seconds:g} s")
        self.job_id = job_id


class BundleError(BatchscoreClientError):
    """A directory to publish is not a model bundle (no such directory, no metadata.json)."""

    exit_code = 2
    code = "bundle_error"


class PublishRefused(BatchscoreClientError):
    """The API checked an uploaded bundle and refused it; `details` say what it found."""

    exit_code = 5

    def __init__(self, message: str, code: str, details: list[Detail] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or []

    @classmethod
    def from_upload(cls, name: str, upload: dict[str, Any]) -> PublishRefused:
        found = upload.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        return cls(
            f"the bundle for {name} was refused: {error.get('message') or 'no reason given'}",
            str(error.get("code") or "publish_refused"),
            [Detail.from_json(d) for d in error.get("details") or []],
        )


class PublishTimedOut(BatchscoreClientError):
    exit_code = 6
    code = "wait_timed_out"

    def __init__(self, name: str, seconds: float) -> None:
        super().__init__(f"the bundle for {name} was not checked within {seconds:g} s")


class RunNotPromoted(BatchscoreClientError):
    """A waited-for retraining run ended KEPT_CHAMPION or FAILED; the message says why."""

    exit_code = 5

    def __init__(self, run: dict[str, Any]) -> None:
        status = run.get("status")
        if status == "FAILED":
            why = (run.get("error") or {}).get("message") or "no reason given"
        else:
            failed = [c for c in (run.get("gate") or {}).get("checks", []) if not c.get("passed")]
            why = "; ".join(f"{c.get('name')}: {c.get('detail')}" for c in failed) or "gate"
        super().__init__(f"run {run.get('run_id')} of {run.get('model')} is {status}: {why}")
        self.run = run
        self.code = "run_failed" if status == "FAILED" else "champion_kept"


class NothingToRollBack(BatchscoreClientError):
    """The alias history has no earlier champion to go back to."""

    code = "nothing_to_roll_back"
