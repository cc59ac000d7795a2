"""Whether a bundle directory can be trusted before it is published to the registry.

Each refusal has a code and a reason: checksums that do not match, files not listed, a skops
file holding types outside the trusted list, a missing or inconsistent schema (its columns are
not the estimator's `feature_names_in_`). Heavy module: loads the estimator with skops.
"""

from __future__ import annotations

import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from batchscore_model import checksums
from batchscore_model.bundle import TRUSTED_TYPES
from batchscore_model.drift_reference import REFERENCE_FILE
from batchscore_model.errors import BundleError
from batchscore_model.explain import supports_explain
from batchscore_model.schema import (
    BUNDLE_FILES,
    MODEL_FILE,
    SCHEMA_FILE,
    BundleMetadata,
    ModelInfo,
    load_descriptions,
)
from batchscore_model.skops_io import skops_io

# Files a bundle may carry besides the required ones, when listed in its checksums.
OPTIONAL_FILES = [REFERENCE_FILE]
MAX_ARCHIVE_MEMBERS = 32


class BundleRefused(Exception):
    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []


@dataclass(frozen=True)
class CheckedBundle:
    """A bundle that passed every check: what the registry records about it."""

    directory: Path
    info: ModelInfo
    metadata: BundleMetadata
    files: list[str]  # every file to store, checksums.sha256 included
    checksums_sha256: str
    explainable: bool = False  # batchscore_model.explain can give its reasons per row

    @property
    def version(self) -> str:
        return self.info.version


def extract_archive(archive: Path, target: Path, *, max_bytes: int) -> Path:
    """A `.tar.gz`/`.tar`/`.zip` of a bundle (files at the top or in one folder) -> its folder."""
    target.mkdir(parents=True, exist_ok=True)
    try:
        # tar first: an uncompressed tar holding model.skops (itself a zip) looks like a zip too.
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as bundle_tar:
                entries = [m for m in bundle_tar.getmembers() if not m.isdir()]
                if any(not m.isfile() for m in entries):
                    raise BundleRefused("archive_invalid", "the archive holds links or devices")
                _check_members([(m.name, m.size) for m in entries], max_bytes)
                for member in entries:
                    source = bundle_tar.extractfile(member)
                    assert source is not None
                    with source, (target / PurePosixPath(member.name).name).open("wb") as out:
                        while block := source.read(1 << 20):
                            out.write(block)
        elif zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as bundle_zip:
                members = [(info.filename, info.file_size) for info in bundle_zip.infolist()]
                _check_members(members, max_bytes)
                for name, _ in members:
                    if not name.endswith("/"):
                        (target / PurePosixPath(name).name).write_bytes(bundle_zip.read(name))
        else:
            raise BundleRefused("archive_invalid", "not a .tar.gz, .tar or .zip archive")
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BundleRefused("archive_invalid", f"the archive cannot be read: {exc}") from exc
    return target


def _check_members(members: list[tuple[str, int]], max_bytes: int) -> None:
    files = [(name, size) for name, size in members if not name.endswith("/")]
    if len(files) > MAX_ARCHIVE_MEMBERS:
        raise BundleRefused("archive_invalid", f"more than {MAX_ARCHIVE_MEMBERS} files")
    names = [PurePosixPath(name).name for name, _ in files]
    if len(set(names)) != len(names):
        raise BundleRefused("archive_invalid", "two files of the archive have the same name")
    if sum(size for _, size in files) > max_bytes:
        raise BundleRefused("archive_invalid", f"the files exceed {max_bytes} bytes unpacked")
    for name, _ in files:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or len(path.parts) > 2:
            raise BundleRefused("archive_invalid", f"{name}: not a bundle file")


def check_bundle(directory: Path) -> CheckedBundle:
    """Every check, cheapest first; the estimator is loaded last (only with trusted types)."""
    listed = _checked_files(directory)
    try:
        info, metadata = load_descriptions(directory)
    except BundleError as exc:
        raise BundleRefused("schema_invalid", str(exc).replace(f"{directory}/", "")) from exc
    if metadata.primary_metric not in metadata.holdout_metrics:
        raise BundleRefused(
            "schema_invalid", f"primary metric {metadata.primary_metric!r} has no holdout value"
        )
    sio = skops_io()
    untrusted = sorted(
        set(sio.get_untrusted_types(file=directory / MODEL_FILE)) - set(TRUSTED_TYPES)
    )
    if untrusted:
        raise BundleRefused(
            "untrusted_types",
            f"{MODEL_FILE} holds types outside the trusted list: {', '.join(untrusted)}",
            [{"line": None, "column": None, "message": name} for name in untrusted],
        )
    try:
        estimator = sio.load(directory / MODEL_FILE, trusted=TRUSTED_TYPES)
    except Exception as exc:  # a corrupt file raises anything from zipfile to numpy
        raise BundleRefused("model_invalid", f"{MODEL_FILE} cannot be loaded: {exc}") from exc
    fitted = [str(name) for name in getattr(estimator, "feature_names_in_", [])]
    if fitted != info.feature_names:
        missing = [name for name in fitted if name not in info.feature_names]
        extra = [name for name in info.feature_names if name not in fitted]
        details = [
            {"line": None, "column": name, "message": "the estimator reads it; the schema lacks it"}
            for name in missing
        ]
        details += [
            {
                "line": None,
                "column": name,
                "message": "in the schema; the estimator does not read it",
            }
            for name in extra
        ]
        if not details:
            details = [{"line": None, "column": None, "message": "same columns, different order"}]
        raise BundleRefused(
            "schema_mismatch",
            f"{SCHEMA_FILE} columns are not the estimator's feature_names_in_",
            details,
        )
    return CheckedBundle(
        directory=directory,
        info=info,
        metadata=metadata,
        files=[checksums.CHECKSUMS_FILE, *listed],
        checksums_sha256=checksums.file_sha256(directory / checksums.CHECKSUMS_FILE),
        explainable=supports_explain(estimator, info),
    )


def _checked_files(directory: Path) -> list[str]:
    """The bundle's files, each listed in checksums.sha256 and matching it; nothing else."""
    absent = [name for name in BUNDLE_FILES if not (directory / name).is_file()]
    if absent:
        raise BundleRefused(
            "bundle_incomplete",
            f"the bundle lacks {', '.join(absent)}",
            [{"line": None, "column": None, "message": f"{name} is missing"} for name in absent],
        )
    try:
        recorded = checksums.read_checksums(directory)
    except BundleError as exc:
        raise BundleRefused("checksums_invalid", str(exc).replace(f"{directory}/", "")) from exc
    missing = [name for name in BUNDLE_FILES if name not in recorded]
    if missing:
        raise BundleRefused(
            "checksums_invalid", f"{checksums.CHECKSUMS_FILE} does not list {', '.join(missing)}"
        )
    present = sorted(p.name for p in directory.iterdir() if p.is_file())
    unknown = [
        name
        for name in [*recorded, *present]
        if name != checksums.CHECKSUMS_FILE and name not in BUNDLE_FILES + OPTIONAL_FILES
    ]
    unlisted = [
        name for name in present if name not in recorded and name != checksums.CHECKSUMS_FILE
    ]
    if unknown or unlisted:
        raise BundleRefused(
            "checksums_invalid",
            f"files not part of a bundle, or not listed: {', '.join(sorted(set(unknown + unlisted)))}",
        )
    mismatched = [
        name
        for name, digest in sorted(recorded.items())
        if not (directory / name).is_file() or checksums.file_sha256(directory / name) != digest
    ]
    if mismatched:
        raise BundleRefused(
            "checksum_mismatch",
            f"files missing or changed since their checksums were written: {', '.join(mismatched)}",
            [{"line": None, "column": None, "message": name} for name in mismatched],
        )
    return sorted(recorded)
