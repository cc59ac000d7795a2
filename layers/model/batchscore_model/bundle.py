"""Load and save model bundles: a skops estimator plus its schema and metadata, checksummed."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from batchscore_model import checksums
from batchscore_model.contract import RowContract
from batchscore_model.drift_reference import REFERENCE_FILE, Reference, load_reference
from batchscore_model.errors import BundleError
from batchscore_model.schema import (
    BUNDLE_FILES,
    METADATA_FILE,
    MODEL_FILE,
    SCHEMA_FILE,
    BundleMetadata,
    ModelInfo,
    default_bundle_dir,
    load_descriptions,
)
from batchscore_model.skops_io import skops_io

# Types skops does not trust by default and that a bundle may contain; anything else is refused.
TRUSTED_TYPES = ["numpy.dtype", "sklearn.tree._tree.Tree"]


@dataclass(frozen=True)
class Prediction:
    labels: np.ndarray  # one per row: class label (as text) or predicted value
    probabilities: np.ndarray | None  # rows x classes, in `ModelInfo.classes` order
    codes: np.ndarray | None = None  # index of each row's label in `ModelInfo.classes`


class Bundle:
    """A loaded, verified bundle and the vectorised prediction the engine uses."""

    def __init__(
        self,
        estimator: Any,
        info: ModelInfo,
        metadata: BundleMetadata,
        reference: Reference | None = None,
    ) -> None:
        self.estimator = estimator
        self.info = info
        self.metadata = metadata
        self.reference = reference  # drift reference statistics; None for an older bundle

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def output_names(self) -> list[str]:
        return [output.name for output in self.info.outputs]

    @property
    def has_probabilities(self) -> bool:
        return len(self.info.outputs) > 1

    def predict_frame(self, features: pd.DataFrame) -> Prediction:
        if not len(features):
            width = len(self.info.classes or [])
            empty = np.zeros((0, width)) if self.has_probabilities else None
            return Prediction(labels=np.zeros(0, dtype=object), probabilities=empty)
        if self.has_probabilities:
            probabilities = np.asarray(self.estimator.predict_proba(features), dtype=np.float64)
            classes = np.asarray(self.info.classes, dtype=object)
            codes = probabilities.argmax(axis=1)
            return Prediction(labels=classes[codes], probabilities=probabilities, codes=codes)
        labels = np.asarray(self.estimator.predict(features))
        if self.info.task == "classification":
            labels = labels.astype(str).astype(object)
        return Prediction(labels=labels, probabilities=None)

    def predict_records(
        self, rows: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Predict JSON rows; errors are `{"row", "column", "message"}`.

        The rows meet the same `RowContract` as a CSV's (missing tokens, finite numbers). How many
        rows one request may carry is the API's limit (`predict_contract.MAX_ROWS`), not the model's.
        """
        raw = {name: [row.get(name) for row in rows] for name in self.info.feature_names}
        checked = self.contract.check(raw, len(rows), text_values=False)
        errors = [
            {"row": finding.index, "column": finding.column, "message": finding.reason}
            for finding in checked.problems
        ]
        keep = ~checked.bad
        indexes = np.flatnonzero(keep).tolist()
        prediction = self.predict_frame(checked.features[keep].reset_index(drop=True))
        results = []
        for position, index in enumerate(indexes):
            result: dict[str, Any] = {
                "row": index,
                "prediction": _plain(prediction.labels[position]),
            }
            if prediction.probabilities is not None and self.info.classes:
                result["probabilities"] = {
                    label: float(prediction.probabilities[position, k])
                    for k, label in enumerate(self.info.classes)
                }
            results.append(result)
        return results, errors

    @cached_property
    def contract(self) -> RowContract:
        return RowContract(self.info)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def load_bundle(bundle_dir: Path | None = None) -> Bundle:
    """Verify every file against `checksums.sha256`, then load the estimator with skops."""
    directory = bundle_dir or default_bundle_dir()
    checksums.verify(directory, BUNDLE_FILES)
    info, metadata = load_descriptions(directory)
    sio = skops_io()
    try:
        estimator = sio.load(directory / MODEL_FILE, trusted=TRUSTED_TYPES)
    except sio.exceptions.UntrustedTypesFoundException as exc:
        raise BundleError(f"{directory / MODEL_FILE}: refused, {exc}") from exc
    names = [str(name) for name in getattr(estimator, "feature_names_in_", [])]
    if names != info.feature_names:
        raise BundleError(f"{directory / SCHEMA_FILE}: columns do not match the estimator's")
    return Bundle(estimator, info, metadata, _optional_reference(directory, info))


def _optional_reference(directory: Path, info: ModelInfo) -> Reference | None:
    """`reference.json` when the bundle has one (listed or present: then it must verify)."""
    path = directory / REFERENCE_FILE
    if REFERENCE_FILE not in checksums.read_checksums(directory) and not path.exists():
        return None
    checksums.verify(directory, [REFERENCE_FILE])
    reference = load_reference(path)
    if reference.model_version != info.version:
        raise BundleError(
            f"{path}: model_version {reference.model_version!r} differs from "
            f"{SCHEMA_FILE}'s {info.version!r}"
        )
    return reference


def save_bundle(
    directory: Path,
    estimator: Any,
    info: ModelInfo,
    metadata: BundleMetadata,
    reference: Reference | None = None,
) -> None:
    """Write a complete bundle next to `directory`, then swap it in whole."""
    staging = directory.with_name(f"{directory.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    skops_io().dump(estimator, staging / MODEL_FILE)
    _write_json(staging / SCHEMA_FILE, info.model_dump(mode="json"))
    _write_json(staging / METADATA_FILE, metadata.model_dump(mode="json"))
    names = list(BUNDLE_FILES)
    if reference is not None:
        (staging / REFERENCE_FILE).write_text(reference.to_json(), encoding="utf-8")
        names.append(REFERENCE_FILE)
    checksums.write_checksums(staging, names)
    retired = directory.with_name(f"{directory.name}.retired")
    shutil.rmtree(retired, ignore_errors=True)
    if directory.exists():
        directory.rename(retired)
    staging.rename(directory)
    shutil.rmtree(retired, ignore_errors=True)


def add_reference(directory: Path, reference: Reference) -> None:
    """Give an existing bundle its `reference.json`, leaving its other files as they are."""
    existing = sorted(checksums.read_checksums(directory))
    checksums.verify(directory, [name for name in existing if name != REFERENCE_FILE])
    staged = directory / f"{REFERENCE_FILE}.staging"
    staged.write_text(reference.to_json(), encoding="utf-8")
    staged.replace(directory / REFERENCE_FILE)
    checksums.write_checksums(directory, sorted({*existing, REFERENCE_FILE}))


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
