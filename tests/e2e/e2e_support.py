"""Outside-user helpers for the end-to-end tests: HTTP with `requests`, S3, the real AWS CLI.

Nothing here imports product code: the tests see the stack as a partner would.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import requests
from sklearn.datasets import load_breast_cancer

from infra.local.settings import LOCAL_CREDENTIAL

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "REJECTED"})
JOB_TIMEOUT_SECONDS = 120
# A request's whole wait, queueing included: the local runtime gives each function 2 workers
# (Lambda would add environments), so while the load tests flood the shared stack from 32
# threads on a busy 2-core machine, a request can wait its turn beyond API Gateway's 30 s.
HTTP_TIMEOUT_SECONDS = 90
POLL_SECONDS = 0.5  # the longest pause between two reads of a poll
FIRST_POLL_SECONDS = 0.05  # the first pause: it grows by half at each read, up to POLL_SECONDS


@lru_cache(maxsize=1)
def feature_frame() -> pd.DataFrame:
    """Rows of the default model's schema: scikit-learn's breast-cancer features, no `target`."""
    return load_breast_cancer(as_frame=True).frame.drop(columns=["target"])


def feature_csv(rows: int, *, start: int = 0) -> bytes:
    """`rows` rows of valid input (wrapping round the 569 rows of the data set)."""
    frame = feature_frame()
    picked = frame.iloc[[(start + i) % len(frame) for i in range(rows)]]
    return picked.to_csv(index=False).encode()


def read_sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet of an xlsx, as rows of values (header first)."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def poll(
    read: Callable[[], Any],
    done: Callable[[Any], bool],
    *,
    what: str,
    stack: Any,
    timeout: float = JOB_TIMEOUT_SECONDS,
) -> Any:
    """Call `read` until `done(value)`; on timeout fail with the last value and the runtime log.

    The pauses start short and grow to POLL_SECONDS: a quick condition is seen at once, and a
    long wait does not load the stack with reads."""
    deadline = time.monotonic() + timeout
    pause = FIRST_POLL_SECONDS
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what}: not done within {timeout:.0f} s; last seen:\n"
                f"{json.dumps(value, indent=1, default=str)}\n"
                f"local runtime log (tail):\n{stack.log_tail()}"
            )
        time.sleep(pause)
        pause = min(pause * 1.5, POLL_SECONDS)


@dataclass
class ApiUser:
    """One signed-in user of the HTTP API."""

    api_url: str
    token: str  # an access token (the API refuses ID tokens)
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return self.session.request(method, f"{self.api_url}{path}", **kwargs)

    def get_json(self, path: str, **kwargs: Any) -> Any:
        answer = self.request("GET", path, **kwargs)
        assert answer.status_code == 200, f"GET {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def create_job(self, filename: str, *, web: bool = False, **options: Any) -> dict[str, Any]:
        """POST /jobs with the job's `options` (model, explain, sheet, ...); as the web page
        when `web` (it sends Origin)."""
        headers = {"Origin": "http://127.0.0.1"} if web else {}
        answer = self.request(
            "POST", "/jobs", json={"filename": filename, **options}, headers=headers
        )
        assert answer.status_code == 201, f"POST /jobs: {answer.status_code} {answer.text}"
        created: dict[str, Any] = answer.json()
        return created

    def submit(
        self, content: bytes, filename: str = "input.csv", *, web: bool = False, **options: Any
    ) -> str:
        """POST /jobs, then the presigned POST of `content`, as the web page does; the job id."""
        created = self.create_job(filename, web=web, **options)
        upload_presigned(created["upload"], content, filename)
        job_id: str = created["job_id"]
        return job_id

    def job(self, job_id: str) -> dict[str, Any]:
        job: dict[str, Any] = self.get_json(f"/jobs/{job_id}")
        return job

    def all_jobs(self, **params: str) -> list[dict[str, Any]]:
        """Every page of GET /jobs."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"limit": 100, **params}
        while True:
            page = self.get_json("/jobs", params=query)
            items.extend(page["items"])
            if not page.get("next_token"):
                return items
            query["next_token"] = page["next_token"]

    def result(self, job_id: str) -> bytes:
        """The job's workbook, through the presigned download link."""
        link = self.get_json(f"/jobs/{job_id}/result")
        answer = requests.get(link["url"], timeout=HTTP_TIMEOUT_SECONDS)
        assert answer.status_code == 200, f"result download: {answer.status_code} {answer.text}"
        return answer.content


def upload_presigned(upload: dict[str, Any], content: bytes, filename: str) -> None:
    answer = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": (filename, content, "text/csv")},
        timeout=HTTP_TIMEOUT_SECONDS * 4,
    )
    assert answer.status_code in (200, 201, 204), f"upload: {answer.status_code} {answer.text}"


def signed_in(stack: Any, username: str | None = None, password: str | None = None) -> ApiUser:
    return ApiUser(stack.api_url, stack.tokens(username, password)["AccessToken"])


def new_user(stack: Any, password: str = "Other-User-Pass-1") -> ApiUser:
    """A fresh user of the stack's Cognito pool (admin calls), signed in."""
    return signed_in(stack, create_user(stack, password), password)


def create_user(stack: Any, password: str = "Other-User-Pass-1", prefix: str = "user") -> str:
    """A fresh, confirmed user of the stack's Cognito pool (admin calls); its username, an
    email address starting with `prefix`."""
    cognito = stack.boto3_client("cognito-idp")
    pool_id = stack.outputs["UserPoolId"]
    username = f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": username},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    return username


def wait_until_final(user: ApiUser, job_id: str, stack: Any) -> dict[str, Any]:
    job: dict[str, Any] = poll(
        lambda: user.job(job_id),
        lambda job: job["status"] in FINAL_STATES,
        what=f"job {job_id} reaching a final state",
        stack=stack,
    )
    return job


def wait_for_object(
    stack: Any, key: str, *, at_least: int = 1, timeout: float = JOB_TIMEOUT_SECONDS
) -> list[dict]:
    """The versions of `key` in the data bucket, once there are `at_least` of them."""
    s3 = stack.boto3_client("s3")
    bucket = stack.outputs["DataBucketName"]

    def versions() -> list[dict]:
        listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
        return [v for v in listed.get("Versions", []) if v["Key"] == key]

    found: list[dict] = poll(
        versions,
        lambda found: len(found) >= at_least,
        what=f"{at_least} version(s) of s3://{bucket}/{key}",
        stack=stack,
        timeout=timeout,
    )
    return found


@dataclass(frozen=True)
class AwsCli:
    """The real AWS CLI (`awscli` from PyPI, in this venv) pointed at the stack's emulator."""

    emulator_url: str
    region: str

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            {
                "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIAL,
                "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIAL,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            }
        )
        done = subprocess.run(
            [aws_executable(), "--endpoint-url", self.emulator_url, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"aws {' '.join(args)}: {done.returncode}\n{done.stderr}"
        return done


def aws_executable() -> str:
    """The `aws` next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "aws"
    found = str(beside) if beside.exists() else shutil.which("aws")
    assert found, "the AWS CLI is not installed: pip install awscli"
    return found


def aws_cli(stack: Any) -> AwsCli:
    return AwsCli(stack.emulator_url, stack.region)
