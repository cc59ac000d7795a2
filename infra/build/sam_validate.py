"""`sam validate --lint` from the separate .venv-sam, offline: fake credentials, a region."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from infra.build.problems import Problem

SAM_VENV = Path(".venv-sam")
OFFLINE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "lint",
    "AWS_SECRET_ACCESS_KEY": "lint",  # a placeholder: sam validate calls nothing
    "AWS_DEFAULT_REGION": "us-east-1",
    "SAM_CLI_TELEMETRY": "0",
}


def sam_executable(venv: Path = SAM_VENV) -> Path | None:
    """The sam CLI installed by infra/build/sam-build.sh, if it is there."""
    sam = venv / "bin" / "sam"
    return sam if sam.is_file() else None


def sam_validate(template: Path, sam: Path, timeout_seconds: float = 120) -> list[Problem]:
    """`sam validate --lint`; one Problem carrying its output when it fails."""
    environment = {**os.environ, **OFFLINE_ENVIRONMENT}
    environment.pop("AWS_PROFILE", None)
    result = subprocess.run(
        [str(sam), "validate", "--lint", "--template-file", str(template)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout_seconds,
        check=False,
    )
    if result.returncode == 0:
        return []
    output = (result.stdout + result.stderr).strip()
    return [Problem(str(template), 1, 1, "sam validate", output or f"exit {result.returncode}")]
