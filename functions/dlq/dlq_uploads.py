"""Publish uploads whose every validation attempt crashed: REFUSED with the reason.

ModelPublishFunction refuses what it finds wrong itself; this is for the attempts that never
finished (killed, out of memory, a timeout): after the model uploads queue's last receive the
S3 event lands in ModelUploadsDLQ, and without this the upload would stay VALIDATING for good.
Any version claim the upload still holds is released, so the version can be published again.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from batchscore_core.observability import logger, metrics
from batchscore_core.registry import ModelRegistry, upload_of_key
from batchscore_core.registry_models import UploadNotFound, UploadRecord, UploadStatus

RETRIES_EXHAUSTED = "retries_exhausted"
UNDECIDED = (UploadStatus.AWAITING_UPLOAD, UploadStatus.VALIDATING)


def refuse_upload(key: str, *, registry: ModelRegistry, receive_count: int) -> UploadRecord | None:
    """The upload REFUSED; None when the key is no upload's or it was already decided."""
    parsed = upload_of_key(key)
    if parsed is None:
        logger.warning("dead-lettered object is no publish upload: ignored", extra={"key": key})
        return None
    name, upload_id = parsed
    logger.append_keys(model=name, upload_id=upload_id)
    try:
        upload = registry.get_upload(name, upload_id)
    except UploadNotFound:
        logger.warning("dead-lettered upload no longer exists", extra={"key": key})
        return None
    if upload.status not in UNDECIDED:
        logger.info("dead-lettered upload already decided", extra={"status": upload.status})
        return None
    released = registry.release_claims_of(name, upload_id)
    error = {
        "code": RETRIES_EXHAUSTED,
        "message": (
            f"validation gave up after {receive_count} attempts that did not finish "
            "(the bundle may be too large to check); nothing was published"
        ),
        "details": [],
    }
    refused = registry.update_upload(
        upload, UploadStatus.REFUSED, from_states=UNDECIDED, error=error
    )
    if refused is None:  # decided meanwhile
        return None
    logger.error(
        "publish upload refused: every attempt crashed",
        extra={"attempts": receive_count, "released_versions": released},
    )
    metrics.add_metric(name="ModelPublishRefused", unit=MetricUnit.Count, value=1)
    return refused
