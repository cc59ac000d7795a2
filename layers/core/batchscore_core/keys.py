"""Where things live in the data bucket (docs/INTERNALS.md) and how a key is read back."""

from __future__ import annotations

import hashlib
import posixpath
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

UPLOADS = "uploads/"
DROPBOX = "dropbox/"
RESULTS = "results/"
OUTBOX = "outbox/"

# The input kinds, longest first (batchscore_model.input_formats reads them; a test keeps the
# two lists equal). Each has its S3 notification suffix in template.yaml.
INPUT_EXTENSIONS = (".csv.gz", ".xlsx", ".csv")
# A drop folder's saved column mapping (docs/partners.md): `dropbox/<tenant>/column_map.json`.
COLUMN_MAP_FILE = "column_map.json"

# Used with fullmatch: `$` would also match before a trailing newline (`x.csv\n` as `x.csv`).
_UPLOAD_KEY = re.compile(
    r"uploads/(?P<owner>[^/\n]+)/(?P<job_id>[0-9a-f]{32})/input\.(?:csv\.gz|xlsx|csv)"
)
_DROPBOX_KEY = re.compile(
    r"dropbox/(?P<tenant>[A-Za-z0-9._-]+)/(?P<path>.+\.(?:csv\.gz|xlsx|csv))", re.IGNORECASE
)


class UnknownKey(ValueError):
    """A key outside the prefixes that start a job."""


@dataclass(frozen=True)
class UploadedInput:
    """An object under `uploads/`: the job already exists and waits for it."""

    key: str
    owner: str
    job_id: str


@dataclass(frozen=True)
class DroppedInput:
    """An object under `dropbox/`: the drop itself creates the job."""

    key: str
    tenant: str
    path: str  # below dropbox/<tenant>/, with its extension (.csv, .csv.gz, .xlsx)

    @property
    def filename(self) -> str:
        return posixpath.basename(self.path)

    @property
    def stem(self) -> str:
        return self.path[: -len(input_extension(self.path))]


def decode_event_key(raw: str) -> str:
    """S3 events URL-encode keys (moto and AWS differently): unquote_plus reads both."""
    return unquote_plus(raw)


def parse_input_key(key: str) -> UploadedInput | DroppedInput:
    if match := _UPLOAD_KEY.fullmatch(key):
        return UploadedInput(key=key, owner=match["owner"], job_id=match["job_id"])
    if match := _DROPBOX_KEY.fullmatch(key):
        path = match["path"]
        if ".." in path.split("/") or path.startswith("/"):
            raise UnknownKey(key)
        return DroppedInput(key=key, tenant=match["tenant"], path=path)
    raise UnknownKey(key)


def new_job_id() -> str:
    return uuid.uuid4().hex


def dropped_job_id(bucket: str, key: str, version: str) -> str:
    """One job per object version: a duplicated S3 event finds the same id."""
    return hashlib.sha256(f"{bucket}\n{key}\n{version}".encode()).hexdigest()[:32]


def input_extension(filename: str) -> str:
    """The input kind's extension as written in `filename` (any case); "" for none."""
    lower = filename.lower()
    found = next((e for e in INPUT_EXTENSIONS if lower.endswith(e)), "")
    return filename[len(filename) - len(found) :] if found else ""


def upload_key(owner: str, job_id: str, filename: str = "input.csv") -> str:
    extension = input_extension(filename).lower() or ".csv"
    return f"{UPLOADS}{owner}/{job_id}/input{extension}"


def column_map_key(tenant: str) -> str:
    return f"{DROPBOX}{tenant}/{COLUMN_MAP_FILE}"


def result_stem(filename: str) -> str:
    base = posixpath.basename(filename) or "input.csv"
    extension = input_extension(base)
    return base[: -len(extension)] if extension and len(extension) < len(base) else base


def result_key(owner: str, job_id: str, filename: str) -> str:
    return f"{RESULTS}{owner}/{job_id}/{result_stem(filename)}.xlsx"


def outbox_result_key(dropped: DroppedInput) -> str:
    return f"{OUTBOX}{dropped.tenant}/{dropped.stem}.xlsx"


def outbox_errors_key(dropped: DroppedInput) -> str:
    return f"{OUTBOX}{dropped.tenant}/{dropped.stem}.errors.json"


def job_prefixes(owner: str, job_id: str) -> list[str]:
    """Every prefix that holds a web/API job's objects (delete removes them all)."""
    return [f"{UPLOADS}{owner}/{job_id}/", f"{RESULTS}{owner}/{job_id}/"]


def places_of_input(input_key: str, item: Mapping[str, Any]) -> dict[str, str]:
    """The result and error report keys of a job item stored before jobs were created with
    them (nothing else reads a job's places back from its input key)."""
    try:
        target = parse_input_key(input_key)
    except UnknownKey:
        return {}
    if isinstance(target, DroppedInput):
        return {
            "result_key": outbox_result_key(target),
            "error_report_key": outbox_errors_key(target),
        }
    return {"result_key": result_key(target.owner, target.job_id, str(item.get("filename", "")))}
