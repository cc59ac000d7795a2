"""Register a checked bundle as a new version: files first, then the record, nothing half-done.

The version is claimed before any file is written (two uploads of one version cannot both
write), the files go to `models/<name>/<version>/`, and one transaction makes the version
visible; if anything fails on the way, the files written are removed and the claim released.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batchscore_core.model_events import ModelEvents
from batchscore_core.model_files import ModelFiles
from batchscore_core.models import iso, utc_now
from batchscore_core.observability import logger
from batchscore_core.registry import ModelRegistry
from batchscore_core.registry_models import VersionRecord, VersionStatus

FIRST_VERSION_REASON = "first version of the model"


@dataclass(frozen=True)
class BundleToPublish:
    """What a checked bundle tells the registry (plain values: the core imports no model code)."""

    name: str
    version: str
    task: str
    metadata: dict[str, Any]  # metadata.json
    directory: Path
    files: list[str]
    checksums_sha256: str
    explainable: bool | None = None  # the bundle check's answer (None: not known)


def version_record(
    bundle: BundleToPublish,
    *,
    by: str,
    upload_id: str | None = None,
    status: VersionStatus = VersionStatus.ACTIVE,
) -> VersionRecord:
    meta = bundle.metadata
    return VersionRecord(
        name=bundle.name,
        version=bundle.version,
        status=status,
        created_at=iso(utc_now()),
        created_by=by,
        primary_metric=str(meta["primary_metric"]),
        metrics={key: float(value) for key, value in meta["holdout_metrics"].items()},
        training_data_fingerprint=str(meta["training_data_fingerprint"]),
        library_versions={key: str(value) for key, value in meta["library_versions"].items()},
        estimator=str(meta.get("estimator", "")),
        dataset=str(meta.get("dataset", "")),
        trained_at=str(meta["trained_at"]) if meta.get("trained_at") else None,
        files=bundle.files,
        checksums_sha256=bundle.checksums_sha256,
        upload_id=upload_id,
        explainable=bundle.explainable,
    )


def publish_bundle(
    bundle: BundleToPublish,
    *,
    registry: ModelRegistry,
    files: ModelFiles,
    events: ModelEvents,
    by: str,
    claim_id: str,
    status: VersionStatus = VersionStatus.ACTIVE,
) -> VersionRecord:
    """Raises PublishRefused (version_exists, task_mismatch) and leaves nothing behind.

    `status`: a retrained candidate the gate refused is registered `rejected`.
    """
    registry.claim_version(bundle.name, bundle.version, claim_id)
    written = False
    try:
        files.upload(bundle.name, bundle.version, bundle.directory, bundle.files)
        written = True
        record = version_record(bundle, by=by, upload_id=claim_id, status=status)
        registry.commit_version(record, bundle.task, reason=FIRST_VERSION_REASON)
    except BaseException:
        if written:
            files.delete(bundle.name, bundle.version, bundle.files)
        registry.release_version(bundle.name, bundle.version)
        raise
    logger.info("model version published", extra={"model": bundle.name, "version": bundle.version})
    events.published(record)
    return record
