"""A data scientist's side of the registry, over HTTP: bundle archives, publish, poll.

Bundles are made from the repository's seed files with plain JSON and hashlib (no product
code): a relabelled bundle is the seed champion under a new version name.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import uuid
from pathlib import Path
from typing import Any

from tests.bundle_relabel import relabel
from tests.e2e.e2e_support import FINAL_STATES, ApiUser, poll, upload_presigned

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_CHAMPION = REPO_ROOT / "layers" / "model" / "bundle"
PUBLISH_TIMEOUT_SECONDS = 120
DIABETES_COLUMNS = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def fresh_model_name() -> str:
    """A model of the test's own, so alias moves never touch what other tests use."""
    return f"e2e-{uuid.uuid4().hex[:10]}"


def write_checksums(directory: Path) -> None:
    names = sorted(p.name for p in directory.iterdir() if p.name != "checksums.sha256")
    lines = [f"{hashlib.sha256((directory / n).read_bytes()).hexdigest()}  {n}\n" for n in names]
    (directory / "checksums.sha256").write_text("".join(lines), encoding="utf-8")


def relabelled_bundle(target: Path, version: str, source: Path = SEED_CHAMPION) -> Path:
    target.mkdir(parents=True)
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    relabel(target, version)
    write_checksums(target)
    return target


def archive_of(directory: Path, *, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"mode": "w:gz", "compresslevel": 1} if compress else {"mode": "w"}
    with tarfile.open(fileobj=buffer, **options) as bundle_tar:
        for path in sorted(directory.iterdir()):
            bundle_tar.add(path, arcname=path.name)
    return buffer.getvalue()


def publish(
    admin: ApiUser,
    stack: Any,
    name: str,
    archive: bytes,
    *,
    timeout: float = PUBLISH_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """POST /models/{name}/versions, the presigned upload, then poll until it is decided."""
    started = admin.request("POST", f"/models/{name}/versions", json={"filename": "bundle.tar.gz"})
    assert started.status_code == 201, started.text
    body = started.json()
    upload_presigned(body["upload"], archive, "bundle.tar.gz")
    upload: dict[str, Any] = poll(
        lambda: admin.get_json(f"/models/{name}/uploads/{body['upload_id']}"),
        lambda upload: upload["status"] in ("PUBLISHED", "REFUSED"),
        what=f"publish of {name}",
        stack=stack,
        timeout=timeout,
    )
    return upload


def move_alias(
    admin: ApiUser, name: str, alias: str, version: str, reason: str, **extra: Any
) -> Any:
    return admin.request(
        "PUT",
        f"/models/{name}/aliases/{alias}",
        json={"version": version, "reason": reason, **extra},
    )


def diabetes_csv(rows: int) -> bytes:
    lines = [",".join(DIABETES_COLUMNS)]
    for i in range(rows):
        lines.append(
            f"{30 + i % 40},{1 + i % 2},{22 + i % 10},{80 + i % 30},{150 + i},{90 + i},{40 + i % 20},{3 + i % 4},{4.2 + (i % 10) / 10:.1f},{85 + i % 20}"
        )
    return ("\n".join(lines) + "\n").encode()


def poll_final(user: ApiUser, job_id: str, stack: Any, *, timeout: float) -> dict[str, Any]:
    job: dict[str, Any] = poll(
        lambda: user.job(job_id),
        lambda job: job["status"] in FINAL_STATES,
        what=f"job {job_id} reaching a final state",
        stack=stack,
        timeout=timeout,
    )
    return job
