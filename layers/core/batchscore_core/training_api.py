"""Retraining routes of the HTTP API (RegistryFunction serves them beside the registry's).

Training files and runs are read by any signed-in caller; uploading training data and
starting a run are for admins, as every registry change is.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from batchscore_core import adapters
from batchscore_core.models import iso, utc_now
from batchscore_core.registry_api import Admin, NamePath, Reader, UploadFormBody, secured
from batchscore_core.settings import get_settings
from batchscore_core.training_files import FileStatus, TrainingFile, TrainingFiles, training_key
from batchscore_core.training_runs import RunStatus, TrainingRun
from batchscore_core.training_trigger import start_run, training_runs

MAX_TRAINING_UPLOAD_BYTES = 200 * 1024 * 1024

router = Router()
RunIdPath = Annotated[str, Path(description="The run id", max_length=64)]
FileId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


@lru_cache(maxsize=1)
def training_files() -> TrainingFiles:
    return TrainingFiles(get_settings().models_table_name)


class StartTrainingUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(
        default="training.csv", min_length=1, max_length=255, description="The CSV's name"
    )


class TrainingUploadStarted(BaseModel):
    file_id: str
    status: FileStatus
    upload: UploadFormBody


class TrainingFileList(BaseModel):
    items: list[dict[str, Any]]


class RetrainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: list[FileId] | None = Field(
        default=None,
        max_length=100,
        description="Train on exactly these accepted training files (default: the window)",
    )


class RetrainStarted(BaseModel):
    run_id: str
    status: RunStatus


class GateView(BaseModel):
    passed: bool
    checks: list[dict[str, Any]]


class RunView(BaseModel):
    """GET /models/{name}/runs/{run_id} (DESIGN.md)."""

    run_id: str
    model: str
    trigger: str
    status: RunStatus
    started_at: str
    ended_at: str | None
    rows: dict[str, int]
    candidate_version: str | None
    champion_version: str | None
    metrics: dict[str, dict[str, float]]
    gate: GateView
    error: dict[str, Any] | None


class RunList(BaseModel):
    items: list[RunView]


def _settled(run: TrainingRun) -> TrainingRun:
    """A RUNNING run whose lease ran out is reported (and recorded) FAILED."""
    if run.lease_expired:
        return training_runs().expire(run.model, run.run_id) or training_runs().get(
            run.model, run.run_id
        )
    return run


@secured(
    router,
    "POST",
    "/models/<name>/training-data",
    summary="Upload a labelled training CSV: a presigned POST (admins)",
    answer="The file and its upload form",
    status=HTTPStatus.CREATED,
    description=(
        "POST the CSV to `upload.url` with `upload.fields`; it is checked against the model's "
        "schema plus its label column and listed ACCEPTED or REJECTED (with the problems)."
    ),
)
def start_training_upload(
    name: NamePath, caller: Admin, request: StartTrainingUpload | None = None
) -> TrainingUploadStarted:
    adapters.model_registry().get_model(name)
    file_id = uuid.uuid4().hex
    now = iso(utc_now())
    record = TrainingFile(
        file_id=file_id,
        model=name,
        filename=(request or StartTrainingUpload()).filename,
        key=training_key(name, file_id),
        status=FileStatus.AWAITING_UPLOAD,
        source="api",
        created_at=now,
        updated_at=now,
    )
    training_files().create(record)
    form = UploadFormBody.presigned(
        adapters.data_store().presigned_post, record.key, MAX_TRAINING_UPLOAD_BYTES
    )
    return TrainingUploadStarted(file_id=file_id, status=record.status, upload=form)


@secured(
    router,
    "GET",
    "/models/<name>/training-data",
    summary="The model's training files: ACCEPTED, or REJECTED with the problems",
    answer="The files, oldest first",
)
def list_training_data(name: NamePath, caller: Reader) -> TrainingFileList:
    adapters.model_registry().get_model(name)
    return TrainingFileList(items=[f.public() for f in training_files().all(name)])


@secured(
    router,
    "POST",
    "/models/<name>/retrain",
    summary="Retrain the model now with its recipe and gate (admins); 409 while a run holds it",
    answer="The run, RUNNING",
    status=HTTPStatus.ACCEPTED,
)
def retrain(name: NamePath, caller: Admin, request: RetrainRequest | None = None) -> RetrainStarted:
    files = request.files if request is not None else None
    run_id = start_run(name, "api", caller.label, files=files)
    return RetrainStarted(run_id=run_id, status=RunStatus.RUNNING)


@secured(
    router,
    "GET",
    "/models/<name>/runs",
    summary="The model's retraining runs, newest first",
    answer="The runs",
)
def list_runs(name: NamePath, caller: Reader) -> RunList:
    adapters.model_registry().get_model(name)
    runs = training_runs().recent(name)
    return RunList(items=[RunView.model_validate(_settled(run).public()) for run in runs])


@secured(
    router,
    "GET",
    "/models/<name>/runs/<run_id>",
    summary="One retraining run: status, rows, metrics, the gate's checks, error",
    answer="The run",
)
def get_run(name: NamePath, run_id: RunIdPath, caller: Reader) -> RunView:
    return RunView.model_validate(_settled(training_runs().get(name, run_id)).public())
