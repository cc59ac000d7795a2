"""Calling the registry handler as API Gateway does (v2 events), as an admin or not."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

from registry_handler import lambda_handler

from batchscore_model import checksums
from tests.integration.api.api_calls import Answer, build_event
from tests.integration.moto_stack import FakeLambdaContext

ROOT = Path(__file__).resolve().parents[3]
LOGREG_DIR = ROOT / "layers" / "model" / "bundle"
FOREST_DIR = ROOT / "models" / "breast-cancer" / "forest"
RIDGE_DIR = ROOT / "models" / "diabetes" / "ridge"
LOGREG = "breast-cancer-logreg-5ab5910612"
FOREST = "breast-cancer-forest-826b395576"


def call(method: str, path: str, *, admin: bool = False, **kwargs: Any) -> Answer:
    event = build_event(method, path, **kwargs)
    route = path
    for name in ("breast-cancer", "diabetes"):
        route = route.replace(f"/models/{name}", "/models/{name}")
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    if admin and kwargs.get("caller", "user") == "user":
        event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = "[admins]"
    result = lambda_handler(event, FakeLambdaContext("registry"))
    text = result.get("body") or ""
    return Answer(
        status=result["statusCode"],
        headers=result.get("headers", {}),
        body=json.loads(text) if text else None,
    )


def copy_bundle(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def rewrite_checksums(directory: Path) -> None:
    names = [p.name for p in directory.iterdir() if p.name != checksums.CHECKSUMS_FILE]
    checksums.write_checksums(directory, names)


def archive(directory: Path) -> bytes:
    """A .tar.gz of the bundle's files, as `batchscore models publish DIR` sends it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle_tar:
        for path in sorted(directory.iterdir()):
            bundle_tar.add(path, arcname=path.name)
    return buffer.getvalue()
