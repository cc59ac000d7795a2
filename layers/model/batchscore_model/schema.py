"""The bundle's input schema and metadata, readable without pandas, numpy or scikit-learn."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from batchscore_model import checksums
from batchscore_model.errors import BundleError

SCHEMA_FILE = "schema.json"
METADATA_FILE = "metadata.json"
MODEL_FILE = "model.skops"
BUNDLE_FILES = [SCHEMA_FILE, METADATA_FILE, MODEL_FILE]

Dtype = Literal["number", "integer", "category"]
Task = Literal["classification", "regression"]


class ColumnSpec(BaseModel):
    """One input column; `min`/`max`/`categories` are what the training data held."""

    name: str
    dtype: Dtype
    required: bool = True
    min: float | None = None
    max: float | None = None
    categories: list[str] | None = None


class OutputSpec(BaseModel):
    name: str
    dtype: Literal["number", "string"]
    description: str


class ModelInfo(BaseModel):
    """`schema.json`: what the model reads and writes."""

    version: str
    task: Task
    columns: list[ColumnSpec]
    outputs: list[OutputSpec]
    classes: list[str] | None = None
    accepts_missing: bool = False

    @property
    def feature_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def to_api(self) -> dict[str, Any]:
        """The `GET /model` body (DESIGN.md)."""
        return {
            "version": self.version,
            "task": self.task,
            "columns": [column.model_dump() for column in self.columns],
            "outputs": [output.model_dump() for output in self.outputs],
        }


class BundleMetadata(BaseModel):
    """`metadata.json`: where the model came from and how well it did on held-out data."""

    version: str
    trained_at: datetime
    estimator: str
    dataset: str
    training_data_fingerprint: str
    rows_train: int
    rows_holdout: int
    primary_metric: str
    holdout_metrics: dict[str, float]
    library_versions: dict[str, str]

    @property
    def primary_value(self) -> float:
        return self.holdout_metrics[self.primary_metric]


def default_bundle_dir() -> Path:
    """`MODEL_BUNDLE_DIR` if set, else `bundle/` next to this package (the one env read here)."""
    override = os.environ.get("MODEL_BUNDLE_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "bundle"


def _read_model(path: Path, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise BundleError(f"{path}: missing from the bundle") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BundleError(f"{path}: {where}: {first['msg']}") from exc


def load_model_info(bundle_dir: Path | None = None) -> ModelInfo:
    """Read and checksum-verify `schema.json` only: cheap enough for the light functions."""
    directory = bundle_dir or default_bundle_dir()
    checksums.verify(directory, [SCHEMA_FILE])
    info: ModelInfo = _read_model(directory / SCHEMA_FILE, ModelInfo)
    return info


def load_metadata(bundle_dir: Path | None = None) -> BundleMetadata:
    directory = bundle_dir or default_bundle_dir()
    checksums.verify(directory, [METADATA_FILE])
    metadata: BundleMetadata = _read_model(directory / METADATA_FILE, BundleMetadata)
    return metadata


def load_descriptions(directory: Path) -> tuple[ModelInfo, BundleMetadata]:
    """`schema.json` and `metadata.json`, which must name the same version (else BundleError)."""
    info = load_model_info(directory)
    metadata = load_metadata(directory)
    if info.version != metadata.version:
        raise BundleError(
            f"{directory / SCHEMA_FILE}: version {info.version!r} differs from "
            f"{METADATA_FILE}'s {metadata.version!r}"
        )
    return info, metadata
