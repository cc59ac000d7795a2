"""Helpers for the browser tests: signing in, finding a job's row, the API as a test user."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.local_stack import LocalStack

ARTIFACTS = Path(__file__).parent / "artifacts"
USER_PASSWORD = "Browser-Test-Pass-1"
GOOD_ROWS = 25
JOB_TIMEOUT_MS = 90_000
TERMINAL = {"SUCCEEDED", "FAILED", "REJECTED"}
HIDE_NOTICES = ".toasts { display: none; }"  # notices would cover the panel in screenshots
ENDED = re.compile(r"^(Succeeded|Failed|Rejected)$")  # the status badge of a job that ended


def sign_in(page: Page, web_url: str, email: str, password: str) -> None:
    page.goto(web_url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def with_text_in_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    """A value the model cannot read: line 2 (the first data row), column `mean radius`."""
    frame["mean radius"] = frame["mean radius"].astype(object)
    frame.loc[frame.index[0], "mean radius"] = "not-a-number"
    return frame


class ApiUser:
    """The HTTP API as the test's user: to set up jobs without going through the page."""

    def __init__(self, stack: LocalStack, email: str) -> None:
        self.stack = stack
        token = stack.tokens(email, USER_PASSWORD)["AccessToken"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def submit(self, csv_path: Path) -> str:
        created = requests.post(
            f"{self.stack.api_url}/jobs",
            json={"filename": csv_path.name},
            headers=self.headers,
            timeout=30,
        )
        created.raise_for_status()
        job = created.json()
        upload = requests.post(
            job["upload"]["url"],
            data=job["upload"]["fields"],
            files={"file": (csv_path.name, csv_path.read_bytes(), "text/csv")},
            timeout=30,
        )
        upload.raise_for_status()
        return str(job["job_id"])

    def job(self, job_id: str) -> dict:
        answer = requests.get(
            f"{self.stack.api_url}/jobs/{job_id}", headers=self.headers, timeout=30
        )
        answer.raise_for_status()
        return dict(answer.json())

    def finished(self, csv_path: Path, expected: str) -> str:
        """Submits the file, waits for its job to end in the `expected` state, returns its id."""
        job_id = self.submit(csv_path)
        deadline = time.monotonic() + JOB_TIMEOUT_MS / 1000
        while (job := self.job(job_id))["status"] not in TERMINAL:
            if time.monotonic() > deadline:
                pytest.fail(f"job {job_id} still {job['status']} after {JOB_TIMEOUT_MS} ms")
            time.sleep(0.5)
        if job["status"] != expected:
            pytest.fail(f"job {job_id} ended {job['status']}, not {expected}: {job['error']}")
        return job_id


def job_row(page: Page, filename: str) -> Locator:
    """The row of the Jobs table that shows this file."""
    return page.get_by_role("table", name="Jobs").get_by_role("row").filter(has_text=filename)


def expect_job_to_end(row: Locator, status: str) -> None:
    """Waits until the row shows a final status, then checks it is `status`."""
    expect(row.get_by_text(ENDED)).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(row.get_by_text(ENDED)).to_have_text(status)


def save_screenshot(
    page: Page, name: str, *, locator: Locator | None = None, full_page: bool = False
) -> Path:
    """A PNG under tests/browser/artifacts/ (git-ignored), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if locator is None:
        page.screenshot(path=path, full_page=full_page, style=HIDE_NOTICES)
    else:
        locator.screenshot(path=path, style=HIDE_NOTICES)
    return path
