"""A model bundle directory (`model.skops`, `schema.json`, `metadata.json`, `checksums.sha256`,
...) read for its name and version, and packed as one `.tar.gz` for publishing."""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batchscore_client.errors import BundleError

METADATA_FILE = "metadata.json"
BUNDLE_CONTENT_TYPE = "application/gzip"


@dataclass(frozen=True)
class LocalBundle:
    directory: Path
    metadata: dict[str, Any]

    @classmethod
    def open(cls, directory: Path) -> LocalBundle:
        if not directory.is_dir():
            raise BundleError(f"{directory} is not a directory")
        try:
            metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise BundleError(f"{directory} has no {METADATA_FILE}: is it a model bundle?") from exc
        except (OSError, ValueError) as exc:
            raise BundleError(f"cannot read {directory / METADATA_FILE}: {exc}") from exc
        if not isinstance(metadata, dict):
            raise BundleError(f"{directory / METADATA_FILE} is not a JSON object")
        return cls(directory, metadata)

    @property
    def name(self) -> str | None:
        value = self.metadata.get("name")
        return str(value) if value else None

    @property
    def version(self) -> str | None:
        value = self.metadata.get("version")
        return str(value) if value else None

    def files(self) -> list[Path]:
        """The directory's regular files, sorted; hidden files, folders and links left out
        (a bundle is flat: the API keeps files by name)."""
        return sorted(
            path
            for path in self.directory.iterdir()
            if path.is_file() and not path.is_symlink() and not path.name.startswith(".")
        )

    def pack(self, archive: Path) -> Path:
        """The files at the archive's top level (`model.skops`, not `bundle/model.skops`)."""
        with tarfile.open(archive, "w:gz") as tar:
            for path in self.files():
                info = tar.gettarinfo(path, arcname=path.name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
        return archive
