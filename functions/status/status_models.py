"""What the HTTP API reads and answers: request and response bodies (the OpenAPI schemas)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from batchscore_core.keys import input_extension
from batchscore_core.models import Job, JobError, JobSource, JobStatus
from batchscore_model.schema import ColumnSpec, OutputSpec


def _plain_csv_name(value: str) -> str:
    if "/" in value or "\\" in value:
        raise ValueError("must be a plain file name, without a path")
    if not value.isprintable():
        raise ValueError("must not contain control characters")
    extension = input_extension(value)
    if not extension or len(value) == len(extension):
        raise ValueError("must end with .csv, .csv.gz or .xlsx")
    return value


def _column_map(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_COLUMN_MAP:
        raise ValueError(f"at most {MAX_COLUMN_MAP} names")
    for theirs, schema_name in value.items():
        if not theirs.strip() or not schema_name.strip():
            raise ValueError("names must not be empty")
        if len(theirs) > 255 or len(schema_name) > 255:
            raise ValueError("names must be at most 255 characters")
    return value


def _callback_address(value: str) -> str:
    """The form only; where it may point is checked with the deployment's settings."""
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError("must be a valid URL") from exc
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ValueError("must be an absolute https URL")
    return value


MAX_COLUMN_MAP = 1000
CsvFilename = Annotated[str, Field(min_length=5, max_length=255), AfterValidator(_plain_csv_name)]
ColumnMap = Annotated[dict[str, str], AfterValidator(_column_map)]
CallbackUrl = Annotated[str, Field(max_length=2048), AfterValidator(_callback_address)]


class CreateJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: CsvFilename
    callback_url: CallbackUrl | None = None
    model: str | None = Field(
        default=None,
        max_length=200,
        description="`<name>` (its champion) or `<name>@<version>`; default: the default "
        "model's champion. Resolved now and recorded on the job as model_name + model_version.",
    )
    sheet: str | None = Field(
        default=None,
        min_length=1,
        max_length=31,
        description="For an `.xlsx` file: the sheet to read (default: the first sheet).",
    )
    column_map: ColumnMap | None = Field(
        default=None,
        description='Header names to read as the schema\'s: `{"their name": "schema name"}`. '
        "Without it, names that differ only in case, surrounding or non-breaking spaces match.",
    )

    @model_validator(mode="after")
    def _sheet_needs_a_workbook(self) -> CreateJobRequest:
        if self.sheet is not None and input_extension(self.filename).lower() != ".xlsx":
            raise ValueError("sheet is only for an .xlsx file")
        return self


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    archived: bool = True


class UploadForm(BaseModel):
    """A presigned POST: send `fields` then the file as multipart form data to `url`."""

    url: str
    fields: dict[str, str]
    expires_at: str


class JobView(BaseModel):
    """A job as clients see it (`Job.public()`); fields beyond DESIGN.md's pass through."""

    model_config = ConfigDict(extra="allow")

    job_id: str
    status: JobStatus
    filename: str
    source: JobSource
    created_at: str
    updated_at: str
    rows_total: int | None = None
    rows_done: int = 0
    model_version: str | None = None
    archived: bool = False
    error: JobError | None = None

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls.model_validate(job.public())


class CreatedJob(BaseModel):
    job_id: str
    status: JobStatus
    upload: UploadForm
    job: JobView


class JobPage(BaseModel):
    items: list[JobView]
    next_token: str | None = None


class ResultLink(BaseModel):
    url: str
    expires_at: str


class ModelDescription(BaseModel):
    name: str | None = None  # the registry model (the default model's champion)
    version: str
    task: str
    columns: list[ColumnSpec]
    outputs: list[OutputSpec]
    max_upload_bytes: int


class Health(BaseModel):
    status: Literal["ok"] = "ok"
