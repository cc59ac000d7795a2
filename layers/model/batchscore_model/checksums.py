"""The bundle's `checksums.sha256` file (the `sha256sum` format). Light module: stdlib only."""

from __future__ import annotations

import hashlib
from pathlib import Path

from batchscore_model.errors import BundleError

CHECKSUMS_FILE = "checksums.sha256"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(bundle_dir: Path, names: list[str]) -> None:
    lines = [f"{file_sha256(bundle_dir / name)}  {name}\n" for name in sorted(names)]
    (bundle_dir / CHECKSUMS_FILE).write_text("".join(lines), encoding="utf-8")


def read_checksums(bundle_dir: Path) -> dict[str, str]:
    path = bundle_dir / CHECKSUMS_FILE
    if not path.is_file():
        raise BundleError(f"{path}: missing; a bundle must list the checksums of its files")
    recorded: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise BundleError(f"{path}:{number}:1: expected '<sha256>  <file name>'")
        recorded[name.strip()] = digest
    return recorded


def verify(bundle_dir: Path, names: list[str]) -> None:
    """Refuse the bundle unless each of `names` is listed and matches its recorded checksum."""
    recorded = read_checksums(bundle_dir)
    for name in names:
        path = bundle_dir / name
        if name not in recorded:
            raise BundleError(f"{path}: not listed in {CHECKSUMS_FILE}")
        if not path.is_file():
            raise BundleError(f"{path}: missing from the bundle")
        if file_sha256(path) != recorded[name]:
            raise BundleError(f"{path}: checksum mismatch, the file was changed after training")
