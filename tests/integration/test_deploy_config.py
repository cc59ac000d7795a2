"""`make deploy`'s sam deploy, pinned aws-sam-cli, offline: it resolves samconfig.toml's settings for
the stage and gets as far as calling CloudFormation (here a local endpoint that records the call).

Regression for aws-sam-cli #3629: given only `--template-file .aws-sam/build/template.yaml`, sam
looks for samconfig.toml beside the built template and stops with "Missing option '--stack-name'".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from infra.build.sam_validate import SAM_VENV, sam_executable

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sam-build"), pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
ERROR_XML = (
    b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error>'
    b"<Type>Sender</Type><Code>AccessDenied</Code><Message>offline test endpoint</Message>"
    b"</Error><RequestId>test</RequestId></ErrorResponse>"
)


class Recorder(BaseHTTPRequestHandler):
    """Records every request and refuses it, as an account without permissions would."""

    calls: list[dict[str, object]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        Recorder.calls.append(
            {"form": parse_qs(body), "authorization": self.headers.get("Authorization", "")}
        )
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(ERROR_XML)))
        self.end_headers()
        self.wfile.write(ERROR_XML)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def sam() -> Path:
    """The pinned aws-sam-cli in .venv-sam, installed as `make build` installs it."""
    if sam_executable(ROOT / SAM_VENV) is None:
        subprocess.run(
            ["bash", "infra/build/sam-build.sh"],
            cwd=ROOT,
            env={**os.environ, "SAM_INSTALL_ONLY": "1"},
            check=True,
            timeout=800,
        )
    found = sam_executable(ROOT / SAM_VENV)
    assert found is not None
    return found


@pytest.fixture
def endpoint() -> Iterator[str]:
    Recorder.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def deploy(
    stage: str, build_dir: Path, endpoint: str, home: Path
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),  # no ~/.aws of the machine
        "AWS_ACCESS_KEY_ID": "offline",
        "AWS_SECRET_ACCESS_KEY": "offline",  # a placeholder: the endpoint is local
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_MAX_ATTEMPTS": "1",
        "SKIP_WEB": "1",
        "BUILD_DIR": str(build_dir),
    }
    return subprocess.run(
        ["bash", str(ROOT / "infra" / "build" / "deploy.sh"), stage],
        cwd=build_dir,  # anywhere but the project: sam must not depend on the working directory
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(("stage", "region"), [("dev", "eu-west-1"), ("prod", "eu-west-1")])
def test_deploy_reads_the_stage_config_and_calls_cloudformation(
    sam: Path, endpoint: str, tmp_path: Path, stage: str, region: str
) -> None:
    # Given: a build directory holding only a template, as `sam build` leaves it (no samconfig.toml)
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    shutil.copy(ROOT / "template.yaml", build_dir / "template.yaml")

    # When
    result = deploy(stage, build_dir, endpoint, tmp_path)

    # Then: no missing option; the first call is CloudFormation's, signed for the stage's region
    output = result.stdout + result.stderr
    assert "Missing option" not in output, output
    assert Recorder.calls, output
    first = Recorder.calls[0]
    form = first["form"]
    assert isinstance(form, dict)
    assert form["Action"] == ["DescribeStacks"], output
    assert f"/{region}/cloudformation/aws4_request" in str(first["authorization"])
