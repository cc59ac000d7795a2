"""The cheap check of an uploaded CSV: size, encoding, header, one data row. No pandas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from batchscore_core.models import Job, JobError
from batchscore_core.registry_models import ModelRef
from batchscore_core.storage import DataStore
from batchscore_model.csvcheck import precheck
from batchscore_model.errors import InputRejected

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class IngestLimits:
    max_upload_bytes: int
    required_columns: tuple[str, ...]


@dataclass(frozen=True)
class ModelChoice:
    """The registry version a job scores with, and what its input must hold."""

    ref: ModelRef
    limits: IngestLimits


ModelChooser = Callable[[Job], ModelChoice]


def check_upload(
    data: DataStore,
    key: str,
    version_id: str | None,
    *,
    size: int,
    filename: str,
    limits: IngestLimits,
) -> None:
    """Raise InputRejected unless the object looks like a CSV the model can score.

    The size is checked here too: the local emulator never enforces the presigned POST's limit.
    """
    head = (
        data.read_head(key, HEAD_BYTES, version_id) if 0 < size <= limits.max_upload_bytes else b""
    )
    precheck(
        head,
        total_size=size,
        max_bytes=limits.max_upload_bytes,
        required_columns=list(limits.required_columns),
        filename=filename,
    )


def job_error(exc: InputRejected) -> JobError:
    return JobError.model_validate(exc.to_dict())
