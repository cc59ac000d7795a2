"""refuse_upload: a publish upload whose every attempt crashed ends REFUSED with the reason."""

from __future__ import annotations

from typing import Any, cast

from dlq_uploads import RETRIES_EXHAUSTED, refuse_upload

from batchscore_core.registry import ModelRegistry, model_upload_key
from batchscore_core.registry_models import UploadNotFound, UploadRecord, UploadStatus

UPLOAD_ID = "a" * 32
KEY = model_upload_key("breast-cancer", UPLOAD_ID)


class FakeRegistry:
    """The registry calls refuse_upload makes, on one upload in memory."""

    def __init__(self, status: UploadStatus | None, claims: list[str] | None = None) -> None:
        self.upload = (
            None
            if status is None
            else UploadRecord(
                upload_id=UPLOAD_ID,
                name="breast-cancer",
                status=status,
                key=KEY,
                created_at="2026-12-01T00:00:00Z",
                created_by="ana@example.com",
                updated_at="2026-12-01T00:00:00Z",
            )
        )
        self.claims = list(claims or [])

    def get_upload(self, name: str, upload_id: str) -> UploadRecord:
        if self.upload is None:
            raise UploadNotFound(upload_id)
        return self.upload

    def release_claims_of(self, name: str, upload_id: str) -> list[str]:
        released, self.claims = self.claims, []
        return released

    def update_upload(
        self, upload: UploadRecord, status: UploadStatus, **changes: Any
    ) -> UploadRecord | None:
        assert self.upload is not None
        if self.upload.status not in changes["from_states"]:
            return None
        self.upload = upload.model_copy(update={"status": status, "error": changes["error"]})
        return self.upload


def refuse(registry: FakeRegistry, key: str = KEY) -> UploadRecord | None:
    return refuse_upload(key, registry=cast(ModelRegistry, registry), receive_count=3)


def test_a_validating_upload_is_refused_with_the_attempts_and_its_claims_released() -> None:
    # Given an upload left VALIDATING, holding the claim of its version
    registry = FakeRegistry(UploadStatus.VALIDATING, claims=["v7"])

    # When its dead-lettered event is handled
    refused = refuse(registry)

    # Then it is REFUSED, saying why, and the version can be published again
    assert refused is not None
    assert refused.status is UploadStatus.REFUSED
    assert refused.error is not None
    assert refused.error["code"] == RETRIES_EXHAUSTED
    assert "after 3 attempts" in refused.error["message"]
    assert registry.claims == []


def test_an_upload_never_validated_is_refused_too() -> None:
    # Given an upload whose attempts crashed before they could claim it
    registry = FakeRegistry(UploadStatus.AWAITING_UPLOAD)

    # When its dead-lettered event is handled
    refused = refuse(registry)

    # Then it is REFUSED
    assert refused is not None
    assert refused.status is UploadStatus.REFUSED


def test_a_decided_upload_is_left_as_it_was() -> None:
    # Given an upload already PUBLISHED
    registry = FakeRegistry(UploadStatus.PUBLISHED)

    # When a copy of its event is dead-lettered
    # Then nothing changes
    assert refuse(registry) is None
    assert registry.upload is not None
    assert registry.upload.status is UploadStatus.PUBLISHED


def test_a_key_that_is_no_upload_or_an_upload_that_is_gone_is_ignored() -> None:
    # Given an object outside model-uploads/, and an upload whose record is gone
    # When their events are dead-lettered
    # Then both are dropped quietly
    assert refuse(FakeRegistry(UploadStatus.VALIDATING), key="uploads/x/y.csv") is None
    assert refuse(FakeRegistry(None)) is None
