"""The web page in Debian's Chromium (headless), against the stack that `make run` starts.

Each test signs in as its own new user, so it sees only the jobs it creates.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sklearn.datasets import load_breast_cancer

from tests.browser.support import GOOD_ROWS, USER_PASSWORD, ApiUser, sign_in, with_text_in_first_row
from tests.e2e.e2e_support import create_user
from tests.local_stack import LocalStack

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by infra/ci/system-deps.sh
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}

expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests share one stack and one Chromium: keep them on one xdist worker."""
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash infra/ci/system-deps.sh`", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    yield context
    # A test's route handlers may still be fetching for the page's polling: close them first,
    # quietly, so none fails after its test (in the next test's set-up) on a closed context.
    for open_page in context.pages:
        open_page.unroute_all(behavior="ignoreErrors")
    context.unroute_all(behavior="ignoreErrors")
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab; the test fails if the page's JavaScript throws an uncaught error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def user(local_stack: LocalStack) -> str:
    """A new confirmed user with a permanent password."""
    return create_user(local_stack, USER_PASSWORD, prefix="analyst")


@pytest.fixture
def signed_in(page: Page, local_stack: LocalStack, user: str) -> Page:
    """The page, signed in as `user`, with the jobs panel shown."""
    sign_in(page, local_stack.web_url, user, USER_PASSWORD)
    expect(page.get_by_role("table", name="Jobs")).to_be_visible()
    return page


@pytest.fixture
def api_user(local_stack: LocalStack, user: str) -> ApiUser:
    return ApiUser(local_stack, user)


@pytest.fixture(scope="session")
def sample_frame() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame.drop(columns="target").head(GOOD_ROWS)


@pytest.fixture
def make_csv(tmp_path: Path, sample_frame: pd.DataFrame) -> Callable[..., Path]:
    """Writes the sample rows to a uniquely named CSV; `change` edits a copy first."""

    def make(stem: str, change: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Path:
        frame = change(sample_frame.copy()) if change else sample_frame
        path = tmp_path / f"{stem}-{uuid.uuid4().hex[:8]}.csv"
        frame.to_csv(path, index=False)
        return path

    return make


@pytest.fixture
def good_csv(make_csv: Callable[..., Path]) -> Path:
    return make_csv("good")


@pytest.fixture
def bad_csv(make_csv: Callable[..., Path]) -> Path:
    return make_csv("bad", with_text_in_first_row)
