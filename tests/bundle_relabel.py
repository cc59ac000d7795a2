"""A bundle's files renamed to another version, with plain JSON (no product code)."""

from __future__ import annotations

import json
from pathlib import Path

# Where a bundle names its own version (reference.json: the drift reference, when present).
VERSION_FIELDS = (
    ("schema.json", "version"),
    ("metadata.json", "version"),
    ("reference.json", "model_version"),
)


def relabel(directory: Path, version: str) -> None:
    """Name `version` wherever the bundle in `directory` names its own; checksums are not redone."""
    for name, field in VERSION_FIELDS:
        if (directory / name).is_file():
            document = json.loads((directory / name).read_text())
            document[field] = version
            (directory / name).write_text(json.dumps(document, indent=2))
