"""The cheap check of an upload: size, then for a CSV (or the start of a .csv.gz) encoding,
header and one data row; for an .xlsx the zip-level checks (what it is, macros, encryption,
bombs), read by ranges from the end of the object. No pandas, no openpyxl."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from batchscore_core.models import Job, JobError
from batchscore_core.registry_models import ModelRef
from batchscore_core.storage import DataStore, ObjectMissing
from batchscore_model.csvcheck import precheck
from batchscore_model.errors import InputRejected, problem
from batchscore_model.input_formats import check_magic, check_zip, gunzip_head, kind_of

HEAD_BYTES = 64 * 1024
MAX_COLUMN_MAP_BYTES = 256 * 1024


@dataclass(frozen=True)
class IngestLimits:
    max_upload_bytes: int
    required_columns: tuple[str, ...]
    column_names: tuple[str, ...] = ()  # every schema column (header names are matched to them)
    explainable: bool | None = None  # the version's flag from publish (None: not recorded)


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
    column_map: Mapping[str, str] | None = None,
) -> None:
    """Raise InputRejected unless the object looks like an input the model can score.

    The size is checked here too: the local emulator never enforces the presigned POST's limit.
    """
    kind = kind_of(filename) or "csv"
    if not 0 < size <= limits.max_upload_bytes:  # too large, or empty: said the same for all
        precheck(
            b"",
            total_size=size,
            max_bytes=limits.max_upload_bytes,
            required_columns=[],
            filename=filename,
        )
    head = data.read_head(key, HEAD_BYTES, version_id)
    if kind == "xlsx":
        check_magic(head, kind, filename)
        _check_workbook(data, key, version_id, size=size, filename=filename)
        return
    if kind == "csv.gz":
        text = gunzip_head(head, filename, whole=len(head) >= size)
        # The pre-check reads the decompressed start; "complete" only if nothing was cut.
        complete = len(head) >= size and len(text) < 256 * 1024
        head, size = text, len(text) if complete else len(text) + 1
    precheck(
        head,
        total_size=size,
        max_bytes=limits.max_upload_bytes if kind == "csv" else max(size, 1),
        required_columns=list(limits.required_columns),
        filename=filename,
        column_names=limits.column_names,
        column_map=column_map,
    )


class _RangeFile(io.RawIOBase):
    """An S3 object as a seekable file, each read one ranged GET (zipfile reads its end first)."""

    def __init__(self, data: DataStore, key: str, version_id: str | None, size: int) -> None:
        self._data, self._key, self._version_id, self._size = data, key, version_id, size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        end = min(self._position + len(buffer), self._size)
        if end <= self._position:
            return 0
        chunk = self._data.read_range(self._key, self._position, end - 1, self._version_id)
        buffer[: len(chunk)] = chunk
        self._position += len(chunk)
        return len(chunk)


def _check_workbook(
    data: DataStore, key: str, version_id: str | None, *, size: int, filename: str
) -> None:
    remote = io.BufferedReader(_RangeFile(data, key, version_id, size), 64 * 1024)
    try:
        with zipfile.ZipFile(remote) as archive:
            check_zip(archive, filename)
    except (zipfile.BadZipFile, OSError) as exc:
        message = f"{filename}: a damaged zip, not an .xlsx workbook"
        raise InputRejected("not_xlsx", message, [problem(message)]) from exc


def saved_column_map(data: DataStore, key: str) -> dict[str, str] | None:
    """A drop folder's saved mapping (`dropbox/<tenant>/column_map.json`); None when it has none.

    A file that is not a JSON object of names rejects the drop, with the reason."""
    try:
        raw = data.read_head(key, MAX_COLUMN_MAP_BYTES + 1)
    except ObjectMissing:
        return None
    message = f'{key}: not a JSON object of names ({{"their name": "schema name"}})'
    try:
        document = json.loads(raw) if len(raw) <= MAX_COLUMN_MAP_BYTES else None
    except ValueError:
        document = None
    if not isinstance(document, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in document.items()
    ):
        raise InputRejected("bad_column_map", message, [problem(message)])
    return document


def job_error(exc: InputRejected) -> JobError:
    return JobError.model_validate(exc.to_dict())
