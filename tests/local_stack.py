"""`local_stack`: the whole local runtime (`python -m infra.local`) on free ports (a pytest plugin).

Each pytest-xdist worker starts its own stack, with its own ports and state directory, and a
short queue visibility timeout so that retries happen within a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from infra.build.least_privilege import check as check_least_privilege
from infra.local.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 240  # the registry's seed bundles are published at start
VISIBILITY_TIMEOUT_SECONDS = int(os.environ.get("BATCHSCORE_E2E_VISIBILITY_TIMEOUT", "5"))
LOG_TAIL_LINES = 80
_ATTEMPTS = 3  # another process may take a "free" port before the runtime binds it


@dataclass
class LocalStack:
    api_url: str
    web_url: str
    emulator_url: str
    outputs: dict[str, Any]
    demo_user: str
    demo_password: str
    state_dir: Path
    log_path: Path
    aws_calls_dir: Path
    region: str = "us-east-1"
    _clients: dict[str, Any] = field(default_factory=dict)

    def boto3_client(self, service: str) -> Any:
        """A client of the stack's emulator (dummy local credentials)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.emulator_url,
                region_name=self.region,
                aws_access_key_id="local",
                aws_secret_access_key="local",
                config=Config(signature_version="s3v4"),
            )
        return self._clients[service]

    def tokens(self, username: str | None = None, password: str | None = None) -> dict[str, str]:
        """Cognito USER_PASSWORD_AUTH tokens (IdToken, AccessToken, RefreshToken)."""
        answer = self.boto3_client("cognito-idp").initiate_auth(
            ClientId=self.outputs["UserPoolClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": username or self.demo_user,
                "PASSWORD": password or self.demo_password,
            },
        )
        result: dict[str, str] = answer["AuthenticationResult"]
        return result

    def id_token(self) -> str:
        """An ID token of the demo user (the API refuses it: use `access_token`)."""
        return self.tokens()["IdToken"]

    def access_token(self) -> str:
        """An access token of the demo user, for `Authorization: Bearer <token>`."""
        return self.tokens()["AccessToken"]

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_path.exists():
            return "(no runtime log)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _environment(state_dir: Path, ports: dict[str, int], calls_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        {
            "BATCHSCORE_HOST": "127.0.0.1",
            "BATCHSCORE_EMULATOR_PORT": str(ports["emulator"]),
            "BATCHSCORE_API_PORT": str(ports["api"]),
            "BATCHSCORE_WEB_PORT": str(ports["web"]),
            "BATCHSCORE_LOCAL_DIR": str(state_dir),
            "BATCHSCORE_LOCAL_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            "BATCHSCORE_LOCAL_POLL_WAIT_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            # Every AWS call of every function, checked against template.yaml's policies.
            "BATCHSCORE_LOCAL_RECORD_AWS_CALLS": str(calls_dir),
        }
    )
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(
    base_dir: Path,
    attempt: int,
    parameters: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], LocalStack]:
    state_dir = base_dir / f"state-{attempt}"
    log_path = base_dir / f"runtime-{attempt}.log"
    calls_dir = base_dir / f"aws-calls-{attempt}"
    ports = {"emulator": free_port(), "api": free_port(), "web": free_port()}
    flags = [f"--parameter={name}={value}" for name, value in (parameters or {}).items()]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", *flags],
            cwd=REPO_ROOT,
            env={**_environment(state_dir, ports, calls_dir), **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ready = state_dir / "ready"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:])
            raise RuntimeError(f"the local runtime did not start; its log ends with:\n{tail}")
        time.sleep(0.2)
    summary = json.loads(ready.read_text())
    stack = LocalStack(
        api_url=summary["api_url"],
        web_url=summary["web_url"],
        emulator_url=summary["emulator_url"],
        outputs=summary["outputs"],
        demo_user=summary["demo_user"],
        demo_password=summary["demo_password"],
        state_dir=state_dir,
        log_path=log_path,
        aws_calls_dir=calls_dir,
    )
    return process, stack


def _start_with_retries(
    base_dir: Path,
    parameters: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], LocalStack]:
    failures: list[str] = []
    for attempt in range(_ATTEMPTS):
        try:
            return _start(base_dir, attempt, parameters, extra_env)
        except RuntimeError as exc:
            failures.append(str(exc))
            if "already in use" not in str(exc):
                break
    pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The local runtime for this test session (one per xdist worker), stopped at the end.

    At the end, every AWS call any function made during the session must be allowed by the
    policies template.yaml gives it (infra/build/least_privilege.py): a denial errors the session.
    """
    process, stack = _start_with_retries(tmp_path_factory.mktemp("local-stack"))
    try:
        yield stack
    finally:
        _stop(process)
    denied = check_least_privilege(stack.aws_calls_dir, REPO_ROOT / "template.yaml")
    if denied:
        pytest.fail(
            "AWS calls that template.yaml does not allow:\n" + "\n".join(map(str, denied)),
            pytrace=False,
        )


# A job of a few thousand rows then takes seconds and writes progress at every batch of 50 rows,
# and one job at a time runs: the next one waits, QUEUED, where a person (or a test) can see it.
SLOW_PARAMETERS = {"ScoringChunkRows": "50", "ProgressIntervalSeconds": "0"}
SLOW_ENV = {"BATCHSCORE_LOCAL_CONCURRENCY": "1"}


@pytest.fixture(scope="session")
def slow_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A second runtime whose jobs are slow enough to watch (documented template parameters)."""
    with started_stack(
        tmp_path_factory.mktemp("slow-stack"), parameters=SLOW_PARAMETERS, extra_env=SLOW_ENV
    ) as stack:
        yield stack


@contextmanager
def started_stack(
    base_dir: Path, *, parameters: dict[str, str], extra_env: dict[str, str] | None = None
) -> Iterator[LocalStack]:
    """A second local runtime with template parameter overrides (e.g. a slower scoring cadence)."""
    process, stack = _start_with_retries(base_dir, parameters, extra_env)
    try:
        yield stack
    finally:
        _stop(process)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test that used the stack shows the end of the runtime's log."""
    outcome = yield
    report = outcome.get_result()
    stack = getattr(item, "funcargs", {}).get("local_stack")
    if report.failed and isinstance(stack, LocalStack):
        report.sections.append(("local runtime log (tail)", stack.log_tail()))
