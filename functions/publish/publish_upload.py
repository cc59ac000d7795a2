"""One uploaded bundle archive: validate it, then register it as a version, or refuse it.

The upload's record says how it went: PUBLISHED with the version, or REFUSED with the code and
reason of the first check that failed. A refused bundle leaves nothing in the registry.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from aws_lambda_powertools.metrics import MetricUnit

from batchscore_core.model_events import ModelEvents
from batchscore_core.model_files import ModelFiles
from batchscore_core.object_keys import parse_or_ignore
from batchscore_core.observability import logger, metrics
from batchscore_core.registry import ModelRegistry, upload_of_key
from batchscore_core.registry_models import (
    PublishRefused,
    UploadNotFound,
    UploadRecord,
    UploadStatus,
)
from batchscore_core.registry_publish import publish_bundle
from batchscore_model.bundle_check import BundleRefused, check_bundle, extract_archive
from batchscore_model.bundle_publish import to_publish

MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
LEASE_SECONDS = 960  # longer than the function's timeout: a crashed attempt is taken over after


def publish_upload(
    key: str,
    *,
    registry: ModelRegistry,
    files: ModelFiles,
    events: ModelEvents,
    work_dir: Path,
) -> UploadRecord | None:
    """The upload as this delivery left it; None when there is nothing to do."""
    parsed = parse_or_ignore(key, upload_of_key, "model-uploads/<name>/<id>/bundle")
    if parsed is None:
        return None
    name, upload_id = parsed
    try:
        upload = registry.get_upload(name, upload_id)
    except UploadNotFound:
        logger.warning("no upload record for this archive: ignored", extra={"key": key})
        return None
    validating = registry.claim_upload(upload, lease_seconds=LEASE_SECONDS)
    if validating is None:
        logger.info("upload handled by another delivery: ignored", extra={"status": upload.status})
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="bundle-", dir=work_dir) as scratch:
            archive = Path(scratch) / "bundle.archive"
            files.download_upload(key, archive)
            directory = extract_archive(
                archive, Path(scratch) / "bundle", max_bytes=MAX_UNPACKED_BYTES
            )
            archive.unlink()
            checked = check_bundle(directory)
            record = publish_bundle(
                to_publish(name, checked),
                registry=registry,
                files=files,
                events=events,
                by=upload.created_by,
                claim_id=upload_id,
            )
    except (BundleRefused, PublishRefused) as exc:
        error = {"code": exc.code, "message": exc.message, "details": exc.details}
        logger.info("bundle refused", extra={"code": exc.code, "reason": exc.message})
        metrics.add_metric(name="ModelPublishRefused", unit=MetricUnit.Count, value=1)
        return registry.update_upload(
            validating, UploadStatus.REFUSED, from_states=(UploadStatus.VALIDATING,), error=error
        )
    metrics.add_metric(name="ModelPublished", unit=MetricUnit.Count, value=1)
    files.delete_upload(key)
    return registry.update_upload(
        validating,
        UploadStatus.PUBLISHED,
        from_states=(UploadStatus.VALIDATING,),
        version=record.version,
    )
