"""DataStore: the data bucket (presigned URLs, reads, writes, deletes)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from batchscore_core import keys
from batchscore_core.models import iso, utc_now

CSV_CONTENT_TYPE = "text/csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GZIP_CONTENT_TYPE = "application/gzip"
_INPUT_CONTENT_TYPES = {
    ".csv": CSV_CONTENT_TYPE,
    ".csv.gz": GZIP_CONTENT_TYPE,
    ".xlsx": XLSX_CONTENT_TYPE,
}


def input_content_type(filename: str) -> str:
    """The content type an upload of this input kind is posted with (the presigned POST binds it)."""
    return _INPUT_CONTENT_TYPES.get(keys.input_extension(filename).lower(), CSV_CONTENT_TYPE)


_MULTIPART = TransferConfig(
    multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024
)


class ObjectMissing(LookupError):
    """The key is not (or no longer) in the bucket."""


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]
    expires_at: str


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    version_id: str | None


# Presigned URLs must be SigV4 (FACTS.md). On AWS they must also name the bucket's regional
# host: `<bucket>.s3.amazonaws.com` answers 307 for hours after a bucket is created (and never
# works in opt-in regions), and a browser does not follow a redirect on a CORS preflight.
_SIGV4 = Config(signature_version="s3v4")
_REGIONAL = Config(
    signature_version="s3v4",
    s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
)


def s3_client() -> Any:
    """The S3 client for the data bucket: regional virtual-hosted on AWS, as given elsewhere.

    With an endpoint configured (`AWS_ENDPOINT_URL`, as the local runtime and tests set it) the
    addresses stay as boto3 makes them: `<bucket>.127.0.0.1` would not resolve. Decided from the
    variables boto3 itself reads, so that a cold start builds one client, not two.
    """
    configured = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return boto3.client("s3", config=_SIGV4 if configured else _REGIONAL)


class DataStore:
    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        # The same client serves every call, presigned or not.
        self._client: Any = client or s3_client()

    def presigned_post(
        self, key: str, *, max_bytes: int, ttl_seconds: int, content_type: str = CSV_CONTENT_TYPE
    ) -> PresignedPost:
        """A POST bound to exactly `key`, one content type and at most `max_bytes`."""
        answer = self._client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=ttl_seconds,
        )
        expires = iso(utc_now() + timedelta(seconds=ttl_seconds))
        return PresignedPost(url=answer["url"], fields=dict(answer["fields"]), expires_at=expires)

    def presigned_get(
        self, key: str, *, ttl_seconds: int, download_name: str, version_id: str | None = None
    ) -> tuple[str, str]:
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(download_name),
        }
        if version_id:
            params["VersionId"] = version_id
        url = self._client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=ttl_seconds
        )
        return url, iso(utc_now() + timedelta(seconds=ttl_seconds))

    def head(self, key: str, version_id: str | None = None) -> ObjectInfo:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        try:
            answer = self._client.head_object(**params)
        except ClientError as exc:
            if _status(exc) == 404:
                raise ObjectMissing(key) from exc
            raise
        return ObjectInfo(
            size=int(answer["ContentLength"]),
            version_id=answer.get("VersionId"),
        )

    def read_range(self, key: str, start: int, end: int, version_id: str | None = None) -> bytes:
        """Bytes `start` to `end` (inclusive) of an object: a zip's directory is at its end."""
        return self._get(key, version_id, Range=f"bytes={start}-{end}")["Body"].read()

    def read_head(self, key: str, nbytes: int, version_id: str | None = None) -> bytes:
        """The first `nbytes` of an object, without downloading the rest."""
        return self._get(key, version_id, Range=f"bytes=0-{nbytes - 1}")["Body"].read()

    def open(self, key: str, version_id: str | None = None) -> BinaryIO:
        """A streaming body (only `.read(n)` is promised)."""
        body: BinaryIO = self._get(key, version_id)["Body"]
        return body

    def upload_file(self, path: Path, key: str, content_type: str) -> str | None:
        """Multipart upload of a local file; answers the new version id when versioning is on."""
        self._client.upload_file(
            str(path), self.bucket, key, ExtraArgs={"ContentType": content_type}, Config=_MULTIPART
        )
        return self.head(key).version_id

    def put_json(self, key: str, document: Any) -> str | None:
        answer = self._client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=json.dumps(document, indent=2).encode(),
            ContentType="application/json",
        )
        return answer.get("VersionId")

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object (and every version of it) under `prefix`."""
        deleted = 0
        paginator = self._client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if doomed:
                self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": doomed})
                deleted += len(doomed)
        return deleted

    def delete_version(self, key: str, version_id: str | None) -> None:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        self._client.delete_object(**params)

    def _get(self, key: str, version_id: str | None, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, **extra}
        if version_id:
            params["VersionId"] = version_id
        try:
            answer: dict[str, Any] = self._client.get_object(**params)
        except ClientError as exc:
            if _status(exc) == 404 or exc.response.get("Error", {}).get("Code") == "NoSuchKey":
                raise ObjectMissing(key) from exc
            raise
        return answer


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def content_disposition(name: str) -> str:
    """An attachment header value that is ASCII whatever the name (RFC 6266 `filename*`).

    A non-ASCII header value (`résumé 📈.xlsx`) made the download hang on the local emulator,
    and HTTP header values are Latin-1 at best.
    """
    fallback = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name
    )
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
