"""Model bundle files in the data bucket (`models/<name>/<version>/`). Light: stdlib + boto3.

Every read is checked: `checksums.sha256` against the digest the registry recorded at publish,
and each file against its line in `checksums.sha256`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from batchscore_core.models import iso, utc_now
from batchscore_core.registry import model_prefix
from batchscore_core.storage import PresignedPost

CHECKSUMS_FILE = "checksums.sha256"
SCHEMA_FILE = "schema.json"
_TRANSFER = TransferConfig(
    multipart_threshold=16 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024
)


class BundleTampered(Exception):
    """A stored bundle file does not match what was recorded when it was published."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_checksums(text: str) -> dict[str, str]:
    """`sha256sum` lines -> {file name: digest}."""
    listed: dict[str, str] = {}
    for line in text.splitlines():
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            listed[name.strip()] = digest
    return listed


class ModelFiles:
    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self._client: Any = client or boto3.client("s3", config=Config(signature_version="s3v4"))

    def checksums(self, name: str, version: str, checksums_sha256: str) -> dict[str, str]:
        data = self._read(model_prefix(name, version) + CHECKSUMS_FILE)
        if sha256_bytes(data) != checksums_sha256:
            raise BundleTampered(f"{name} {version}: {CHECKSUMS_FILE} changed since publishing")
        return parse_checksums(data.decode("utf-8"))

    def schema(self, name: str, version: str, checksums_sha256: str) -> dict[str, Any]:
        """The version's `schema.json`, verified (the light functions' view of a bundle)."""
        listed = self.checksums(name, version, checksums_sha256)
        data = self._read(model_prefix(name, version) + SCHEMA_FILE)
        if listed.get(SCHEMA_FILE) != sha256_bytes(data):
            raise BundleTampered(f"{name} {version}: {SCHEMA_FILE} does not match its checksum")
        document: dict[str, Any] = json.loads(data)
        return document

    def download(self, name: str, version: str, checksums_sha256: str, target: Path) -> None:
        """Every file of the version into `target` (verified by the loader afterwards)."""
        listed = self.checksums(name, version, checksums_sha256)
        target.mkdir(parents=True, exist_ok=True)
        prefix = model_prefix(name, version)
        for file_name in [CHECKSUMS_FILE, *sorted(listed)]:
            self._client.download_file(
                self.bucket, prefix + file_name, str(target / file_name), Config=_TRANSFER
            )

    def upload(self, name: str, version: str, directory: Path, files: list[str]) -> None:
        prefix = model_prefix(name, version)
        for file_name in files:
            self._client.upload_file(
                str(directory / file_name), self.bucket, prefix + file_name, Config=_TRANSFER
            )

    def delete(self, name: str, version: str, files: list[str]) -> None:
        prefix = model_prefix(name, version)
        doomed = [{"Key": prefix + file_name} for file_name in files]
        if doomed:
            self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": doomed})

    def presigned_upload(self, key: str, *, max_bytes: int, ttl_seconds: int) -> PresignedPost:
        """A POST bound to exactly `key` and at most `max_bytes` (a bundle archive)."""
        answer = self._client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Conditions=[["content-length-range", 1, max_bytes]],
            ExpiresIn=ttl_seconds,
        )
        expires = iso(utc_now() + timedelta(seconds=ttl_seconds))
        return PresignedPost(url=answer["url"], fields=dict(answer["fields"]), expires_at=expires)

    def download_upload(self, key: str, target: Path) -> None:
        self._client.download_file(self.bucket, key, str(target), Config=_TRANSFER)

    def delete_upload(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)

    def _read(self, key: str) -> bytes:
        try:
            data: bytes = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            raise BundleTampered(f"{key}: missing from the registry's bucket") from exc
        return data
