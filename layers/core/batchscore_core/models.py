"""The job, its states and its error report: the shapes every function and client shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from batchscore_core import keys
from batchscore_core.drift_models import JobDrift
from batchscore_core.prediction_summary import PredictionDistribution

JobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Owner = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@+-]+$")
]


class JobStatus(StrEnum):
    AWAITING_UPLOAD = "AWAITING_UPLOAD"
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.REJECTED})


class JobSource(StrEnum):
    WEB = "web"
    API = "api"
    DROPBOX = "dropbox"


class ErrorDetail(BaseModel):
    """One problem in the input, placed as an editor would show it."""

    line: int | None = None
    column: str | None = None
    message: str


class JobError(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class Webhook(BaseModel):
    """Where to POST the job when it ends, and how the last delivery went."""

    url: str
    secret_id: str | None = None
    attempts: int = 0
    delivered: bool = False
    last_status: int | None = None
    last_error: str | None = None
    last_attempt_at: str | None = None


class Job(BaseModel):
    """A job as stored in JobsTable; `public()` is what clients see."""

    model_config = ConfigDict(use_enum_values=False)

    job_id: JobId
    owner: Owner
    status: JobStatus
    filename: str
    source: JobSource
    created_at: str
    updated_at: str
    # Where the input, the result and the error report live: set when the job is created
    # (batchscore_core.origins), never derived from a key afterwards. Only drop-folder jobs
    # have an error report; a `*_version_id` is set once that object is written.
    input_key: str
    input_version_id: str | None = None
    result_key: str | None = None
    result_version_id: str | None = None
    error_report_key: str | None = None
    error_report_version_id: str | None = None
    rows_total: int | None = None
    rows_done: int = 0
    rows_rejected: int = 0
    model_name: str | None = None  # the registry model (issue 10); None on jobs made before it
    # Problems scored anyway (imputed cells, values outside the training range): at most 1,000
    # listed, `warnings_total` counts them all.
    warnings: list[ErrorDetail] = Field(default_factory=list)
    warnings_total: int = 0
    model_version: str | None = None
    drift: JobDrift | None = None  # set when scored (docs/drift.md); None before and on old items
    # Reasons per row asked on POST /jobs (issue 16): reason_1..3 columns in the workbook.
    explain: bool = False
    # Set once scored: class counts, or a regressor's histogram (the web page charts it).
    prediction_distribution: PredictionDistribution | None = None
    archived: bool = False
    error: JobError | None = None
    attempts: int = 0
    lease_expires_at: int | None = None
    # Stage boundaries of the last attempt (`make bench-e2e` splits a job's time with them):
    # admitted (QUEUED), claimed (PROCESSING), workbook written (before its upload), final.
    queued_at: str | None = None
    started_at: str | None = None
    scored_at: str | None = None
    finished_at: str | None = None
    duration_ms: int | None = None
    size_bytes: int | None = None
    webhook: Webhook | None = None
    expires_at: int | None = None
    # Input options (issue 16): the .xlsx sheet to read (None: the first), and header names to
    # read as the schema's ({"their name": "schema name"}; a drop gets its tenant's saved map).
    sheet: str | None = None
    column_map: dict[str, str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _places_of_older_items(cls, data: Any) -> Any:
        """Items stored before jobs knew their result's key at creation: the one derivation."""
        if isinstance(data, dict) and not data.get("result_key") and data.get("input_key"):
            data = {**data, **keys.places_of_input(str(data["input_key"]), data)}
        return data

    def public(self) -> dict[str, Any]:
        """The wire shape of DESIGN.md: storage details (keys, leases, TTL) stay inside."""
        body = self.model_dump(
            mode="json",
            exclude={
                "input_key",
                "input_version_id",
                "result_key",
                "result_version_id",
                "error_report_key",
                "error_report_version_id",
                "lease_expires_at",
                "expires_at",
                "owner",
            },
        )
        if self.webhook is not None:
            body["webhook"] = self.webhook.model_dump(mode="json", exclude={"secret_id"})
        return body


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds: sorts as text in time order (the GSI relies on it)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
