"""BatchscoreClient: the public HTTP API, presigned POST uploads and presigned GET downloads."""

from __future__ import annotations

import os
import posixpath
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypedDict, Unpack
from urllib.parse import quote

import requests

from batchscore_client.bundle import BUNDLE_CONTENT_TYPE, LocalBundle
from batchscore_client.errors import (
    ApiError,
    FileTooLarge,
    JobDidNotSucceed,
    PublishRefused,
    PublishTimedOut,
    TransferError,
    WaitTimedOut,
)

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "REJECTED"})
API_TIMEOUT = 30.0
TRANSFER_TIMEOUT = (10.0, 300.0)  # connect, read
CHUNK_BYTES = 1024 * 1024

Job = dict[str, Any]


class Polling(TypedDict, total=False):
    """How the `wait*` methods poll: every `poll_seconds` (1 s; 2 s for a run) until done, or
    until `timeout_seconds` (none: for ever); `sleep` and `clock` are for tests."""

    poll_seconds: float
    timeout_seconds: float | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]


class TokenSource(Protocol):
    def bearer(self) -> str: ...

    def renew(self) -> Any: ...


class BatchscoreClient:
    """One method per API route; errors come back as ApiError with the API's code and details."""

    def __init__(
        self,
        api_url: str,
        tokens: TokenSource | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._tokens = tokens
        self._http = session or requests.Session()

    # jobs

    def create_job(
        self, filename: str, callback_url: str | None = None, model: str | None = None
    ) -> Job:
        """`201 {"job_id", "status", "upload": {"url", "fields", "expires_at"}}`.

        `model` is `"<name>"` (its champion) or `"<name>@<version>"`; without it the default
        model's champion scores the job.
        """
        body: dict[str, Any] = {"filename": filename}
        if callback_url:
            body["callback_url"] = callback_url
        if model:
            body["model"] = model
        return self._request("POST", "/jobs", json=body)

    def upload(self, upload: dict[str, Any], path: Path, content_type: str = "text/csv") -> None:
        """Send the file with a presigned POST (from `create_job`, or a publish; no API token)."""
        try:
            with path.open("rb") as handle:
                answer = self._http.post(
                    upload["url"],
                    data=upload["fields"],
                    files={
                        "file": (
                            path.name,
                            handle,
                            upload["fields"].get("Content-Type", content_type),
                        )
                    },
                    timeout=TRANSFER_TIMEOUT,
                )
        except OSError as exc:
            raise TransferError(f"cannot read {path}: {exc}") from exc
        except requests.RequestException as exc:
            raise TransferError(f"the upload failed: {exc}") from exc
        if answer.status_code >= 300:
            raise TransferError(
                f"the upload was refused (HTTP {answer.status_code}): {_s3_reason(answer.text)}"
            )

    def submit(
        self,
        path: Path,
        callback_url: str | None = None,
        model: str | None = None,
        *,
        check_size: bool = True,
    ) -> Job:
        """Create a job for a local CSV and upload it; the job then moves on by itself.

        A file over the service's `max_upload_bytes` (from `GET /model`) is refused before
        anything is created or sent.
        """
        if not path.is_file():
            raise TransferError(f"{path} is not a file")
        if check_size:
            self.check_upload_size(path)
        created = self.create_job(path.name, callback_url, model)
        self.upload(created["upload"], path)
        job: Job = created.get("job") or {k: v for k, v in created.items() if k != "upload"}
        return job

    def check_upload_size(self, path: Path) -> None:
        try:
            limit = self.model().get("max_upload_bytes")
        except ApiError as exc:
            if exc.status in (403, 404):  # a token without jobs/read: the service still checks
                return
            raise
        size = path.stat().st_size
        if isinstance(limit, int) and size > limit:
            raise FileTooLarge(
                f"{path.name} is {_megabytes(size)}: the service accepts files up to "
                f"{_megabytes(limit)}"
            )

    def get_job(self, job_id: str) -> Job:
        return self._request("GET", f"/jobs/{_segment(job_id)}")

    def list_jobs(
        self,
        *,
        status: str | None = None,
        archived: bool = False,
        limit: int = 20,
        next_token: str | None = None,
    ) -> tuple[list[Job], str | None]:
        params: dict[str, str] = {"limit": str(limit)}
        if status:
            params["status"] = status
        if archived:
            params["archived"] = "true"
        if next_token:
            params["next_token"] = next_token
        page = self._request("GET", "/jobs", params=params)
        return list(page.get("items") or []), page.get("next_token")

    def retry(self, job_id: str) -> Job:
        return self._request("POST", f"/jobs/{_segment(job_id)}/retry")

    def archive(self, job_id: str, archived: bool = True) -> Job:
        return self._request(
            "POST", f"/jobs/{_segment(job_id)}/archive", json={"archived": archived}
        )

    def delete(self, job_id: str) -> None:
        self._request("DELETE", f"/jobs/{_segment(job_id)}")

    def result_url(self, job_id: str) -> dict[str, Any]:
        """`{"url", "expires_at"}`: a short-lived presigned GET of the workbook."""
        return self._request("GET", f"/jobs/{_segment(job_id)}/result")

    def download(self, job_id: str, out: Path | None = None) -> Path:
        """Save the result workbook; `out` defaults to `<uploaded name>.xlsx` here."""
        if out is None or out.is_dir():
            name = result_filename(self.get_job(job_id).get("filename") or f"{job_id}.csv")
            out = (out or Path.cwd()) / name
        link = self.result_url(job_id)
        partial = out.with_name(out.name + ".part")
        try:
            with self._http.get(link["url"], stream=True, timeout=TRANSFER_TIMEOUT) as answer:
                if answer.status_code >= 300:
                    raise TransferError(f"the download was refused (HTTP {answer.status_code})")
                with partial.open("wb") as handle:
                    for chunk in answer.iter_content(CHUNK_BYTES):
                        handle.write(chunk)
            os.replace(partial, out)
        except requests.RequestException as exc:
            raise TransferError(f"the download failed: {exc}") from exc
        except OSError as exc:
            raise TransferError(f"cannot write {out}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        return out

    def wait(
        self,
        job_id: str,
        *,
        on_update: Callable[[Job], None] | None = None,
        **poll: Unpack[Polling],
    ) -> Job:
        """Poll until the job ends; raise JobDidNotSucceed unless it SUCCEEDED."""

        def fetch() -> Job:
            job = self.get_job(job_id)
            if on_update is not None:
                on_update(job)
            return job

        job = _poll(
            fetch,
            lambda job: job.get("status") in FINAL_STATES,
            partial(WaitTimedOut, job_id),
            poll,
        )
        if job["status"] != "SUCCEEDED":
            raise JobDidNotSucceed(job)
        return job

    # model registry

    def list_models(self) -> list[dict[str, Any]]:
        """`{"items": [{"name", "task", "aliases", "versions"}]}`: every model, with its aliases."""
        page = self._request("GET", "/models")
        return list(page.get("items") or [])

    def get_model(self, name: str) -> dict[str, Any]:
        """`{"name", "task", "aliases", "versions": [...], "history": [...]}`."""
        return self._request("GET", f"/models/{_segment(name)}")

    def get_model_version(self, name: str, version: str) -> dict[str, Any]:
        """One version's metadata, status and input schema (`columns` as in `GET /model`)."""
        return self._request("GET", f"/models/{_segment(name)}/versions/{_segment(version)}")

    def move_alias(
        self,
        name: str,
        alias: str,
        version: str,
        reason: str,
        *,
        expected_version: str | None = None,
    ) -> dict[str, Any]:
        """Point `alias` at `version` (admins only); answers the model. 409: another move
        landed first, or the alias is no longer at `expected_version` (where the caller saw it)."""
        body = {"version": version, "reason": reason}
        if expected_version:
            body["expected_version"] = expected_version
        return self._request(
            "PUT", f"/models/{_segment(name)}/aliases/{_segment(alias)}", json=body
        )

    def start_publish(self, name: str, filename: str) -> dict[str, Any]:
        """`201 {"upload_id", "status", "upload": {"url", "fields", "expires_at"}}` (admins)."""
        return self._request(
            "POST", f"/models/{_segment(name)}/versions", json={"filename": filename}
        )

    def get_upload(self, name: str, upload_id: str) -> dict[str, Any]:
        """`{"upload_id", "status": AWAITING_UPLOAD | VALIDATING | PUBLISHED | REFUSED,
        "version", "error"}`: how a published archive is doing."""
        return self._request("GET", f"/models/{_segment(name)}/uploads/{_segment(upload_id)}")

    def wait_for_upload(
        self,
        name: str,
        upload_id: str,
        **poll: Unpack[Polling],
    ) -> dict[str, Any]:
        """Poll an uploaded bundle until PUBLISHED; PublishRefused when it is REFUSED."""
        upload = _poll(
            lambda: self.get_upload(name, upload_id),
            lambda upload: upload.get("status") in ("PUBLISHED", "REFUSED"),
            partial(PublishTimedOut, name),
            poll,
        )
        if upload["status"] == "REFUSED":
            raise PublishRefused.from_upload(name, upload)
        return upload

    def publish(
        self,
        bundle: LocalBundle,
        name: str,
        **poll: Unpack[Polling],
    ) -> dict[str, Any]:
        """Upload a bundle directory as a new version of `name` (the version is the one its
        metadata.json names) and wait until the API has checked it; answers the upload."""
        with tempfile.TemporaryDirectory(prefix="batchscore-publish-") as scratch:
            archive = bundle.pack(Path(scratch) / f"{bundle.version or name}.tar.gz")
            started = self.start_publish(name, archive.name)
            self.upload(started["upload"], archive, content_type=BUNDLE_CONTENT_TYPE)
        return self.wait_for_upload(name, started["upload_id"], **poll)

    # retraining

    def retrain(self, name: str) -> dict[str, Any]:
        """Start a retraining run (admins): `{"run_id", "status": "RUNNING"}`."""
        return self._request("POST", f"/models/{_segment(name)}/retrain", json={})

    def get_run(self, name: str, run_id: str) -> dict[str, Any]:
        return self._request("GET", f"/models/{_segment(name)}/runs/{_segment(run_id)}")

    def wait_for_run(
        self,
        name: str,
        run_id: str,
        **poll: Unpack[Polling],
    ) -> dict[str, Any]:
        """Poll a run until it leaves RUNNING; answers it (PROMOTED, KEPT_CHAMPION, FAILED)."""
        return _poll(
            lambda: self.get_run(name, run_id),
            lambda run: run.get("status") != "RUNNING",
            partial(WaitTimedOut, run_id),
            {"poll_seconds": 2.0, **poll},
        )

    # service

    def model(self) -> dict[str, Any]:
        return self._request("GET", "/model")

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health", authenticated=False)

    def _request(self, method: str, path: str, *, authenticated: bool = True, **kwargs: Any) -> Any:
        for renewed in (False, True):
            headers = {"Accept": "application/json"}
            if authenticated and self._tokens is not None:
                headers["Authorization"] = f"Bearer {self._tokens.bearer()}"
            try:
                answer = self._http.request(
                    method, self.api_url + path, headers=headers, timeout=API_TIMEOUT, **kwargs
                )
            except requests.RequestException as exc:
                raise ApiError(
                    0, "network_error", f"cannot reach the API at {self.api_url}: {exc}"
                ) from exc
            if (
                answer.status_code == 401
                and authenticated
                and self._tokens is not None
                and not renewed
            ):
                self._tokens.renew()  # the saved token may have been revoked early
                continue
            break
        if answer.status_code == 204 or not answer.content:
            payload: Any = None
        else:
            try:
                payload = answer.json()
            except ValueError:
                payload = {"message": answer.text[:200]}
        if answer.status_code >= 400:
            raise ApiError.from_response(answer.status_code, payload)
        return payload


def _poll(
    fetch: Callable[[], dict[str, Any]],
    finished: Callable[[dict[str, Any]], bool],
    timed_out: Callable[[float], Exception],
    poll: Polling,
) -> dict[str, Any]:
    """Fetch until `finished` holds (answering that last fetch), or raise `timed_out(seconds)`
    once `timeout_seconds` have passed (none: wait for ever), sleeping `poll_seconds` between."""
    sleep, clock = poll.get("sleep", time.sleep), poll.get("clock", time.monotonic)
    timeout_seconds = poll.get("timeout_seconds")
    deadline = None if timeout_seconds is None else clock() + timeout_seconds
    while True:
        item = fetch()
        if finished(item):
            return item
        if deadline is not None and clock() >= deadline:
            raise timed_out(timeout_seconds or 0)
        sleep(poll.get("poll_seconds", 1.0))


def result_filename(filename: str) -> str:
    """The workbook's name: the uploaded file's name with `.xlsx` for `.csv`, `.csv.gz` or
    `.xlsx` (as the API names it)."""
    base = posixpath.basename(filename) or "result.csv"
    lower = base.lower()
    extension = next((e for e in (".csv.gz", ".xlsx", ".csv") if lower.endswith(e)), "")
    stem = base[: -len(extension)] if extension and len(extension) < len(base) else base
    return f"{stem}.xlsx"


def _megabytes(size: int) -> str:
    """Sizes as the web page shows them (MB of 1024 KiB): `100 MB`, `2.5 MB`."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:,.0f} MB" if megabytes >= 10 else f"{megabytes:,.1f} MB"


def _segment(value: str) -> str:
    return quote(value, safe="")


def _s3_reason(text: str) -> str:
    """S3 answers XML: `<Message>` is the readable part."""
    start, end = text.find("<Message>"), text.find("</Message>")
    if 0 <= start < end:
        return text[start + len("<Message>") : end]
    return text[:200] or "no reason given"
