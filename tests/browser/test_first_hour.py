"""What a newcomer meets in the first hour: progress they can watch, a page that fits, notices
that cover nothing, jobs told apart, the full story of a job, sign-in shared by the tabs."""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.support import (
    JOB_TIMEOUT_MS,
    USER_PASSWORD,
    ApiUser,
    expect_job_to_end,
    job_row,
    save_screenshot,
    sign_in,
    with_text_in_first_row,
)
from tests.e2e.e2e_support import create_user
from tests.local_stack import LocalStack

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = [pytest.param(DESKTOP, id="1280px"), pytest.param(PHONE, id="390px")]
SLOW_ROWS = 8_000  # at 50 rows a batch (the slow stack), seconds of scoring on any machine

# Records every state each job row shows, as it is shown: status, then the bar's value/max.
RECORD_ROW_STATES = """
window.__seen = {};
new MutationObserver(() => {
  for (const row of document.querySelectorAll("tr[data-job-id]")) {
    const bar = row.querySelector("progress");
    const state = row.dataset.status + (bar ? ` ${bar.value}/${bar.max}` : "");
    const seen = (window.__seen[row.dataset.jobId] ||= []);
    if (seen[seen.length - 1] !== state) seen.push(state);
  }
}).observe(document, { childList: true, subtree: true, attributes: true });
"""

# Every visible control whose middle is hidden under something else (a notice, say).
COVERED_CONTROLS = """() => {
  const controls = [...document.querySelectorAll("button, select, input:not([type=file]), a[href]")]
    .filter((el) => el.checkVisibility());
  const covered = [];
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const top = document.elementFromPoint(x, y);
    const topbar = document.querySelector(".topbar");
    // scrolled under the sticky top bar, as under any sticky header: not on screen
    if (topbar.contains(top) && !topbar.contains(el)) continue;
    if (!(top === el || el.contains(top))) covered.push(`${el.outerHTML.slice(0, 80)} under ${top?.outerHTML.slice(0, 80)}`);
  }
  return covered;
}"""

PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def new_user(stack: LocalStack) -> str:
    return create_user(stack, USER_PASSWORD, prefix="analyst")


def rows_csv(frame: pd.DataFrame, rows: int, path: Path) -> Path:
    pd.concat([frame] * (rows // len(frame) + 1)).head(rows).to_csv(path, index=False)
    return path


def choose(page: Page, *files: Path) -> None:
    page.get_by_label("Upload CSV").set_input_files(list(files))


def start_upload(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Start upload")).click()


def wait_for_status(api: ApiUser, job_id: str, status: str) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT_MS / 1000
    while api.job(job_id)["status"] != status:
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} never reached {status}")
        time.sleep(0.2)


@pytest.fixture
def sized_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab of the viewport size the test is parametrized with."""
    context = browser.new_context(viewport=request.param, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


# Progress a person can see


def test_a_slow_job_shows_queued_then_a_moving_bar_then_succeeded(
    page: Page, slow_stack: LocalStack, sample_frame: pd.DataFrame, tmp_path: Path
):
    # Given a stack that runs one job at a time, busy with another job of the analyst's
    email = new_user(slow_stack)
    api = ApiUser(slow_stack, email)
    blocker = api.submit(rows_csv(sample_frame, SLOW_ROWS, tmp_path / "first.csv"))
    wait_for_status(api, blocker, "PROCESSING")
    page.add_init_script(RECORD_ROW_STATES)
    polls: list[float] = []
    page.on(
        "request",
        lambda request: polls.append(time.monotonic()) if "/jobs?" in request.url else None,
    )
    sign_in(page, slow_stack.web_url, email, USER_PASSWORD)

    # When the analyst uploads a file of thousands of rows and watches its row
    watched = rows_csv(sample_frame, SLOW_ROWS, tmp_path / f"watched-{uuid.uuid4().hex[:6]}.csv")
    choose(page, watched)
    start_upload(page)
    row = job_row(page, watched.name)
    expect(row.get_by_text("Queued", exact=True)).to_be_visible()
    bar = row.get_by_role("progressbar")
    expect(bar).to_be_visible(timeout=JOB_TIMEOUT_MS)
    save_screenshot(page, "job-processing")
    expect_job_to_end(row, "Succeeded")

    # Then it showed Queued, then Processing with the bar part-filled, then Succeeded, in order
    job_id = row.get_attribute("data-job-id")
    seen: list[str] = page.evaluate("(id) => window.__seen[id]", job_id)
    statuses = [state.split()[0] for state in seen]
    partial = [
        i
        for i, state in enumerate(seen)
        if state.startswith("PROCESSING ")
        and 0 < int(state.split()[1].split("/")[0]) < int(state.split()[1].split("/")[1])
    ]
    assert "QUEUED" in statuses, seen
    assert partial, f"the bar never showed a value between empty and full: {seen}"
    assert statuses.index("QUEUED") < partial[0] < statuses.index("SUCCEEDED"), seen
    # and while it ran, the page asked for the list about every second
    gaps = sorted(later - earlier for earlier, later in itertools.pairwise(polls))
    assert gaps
    # 1 s between polls plus each answer's latency, which a loaded 2-core CI machine stretches
    assert gaps[len(gaps) // 2] < 2.5, gaps


# The page fits, notices cover nothing


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True)
def test_no_page_state_is_wider_than_the_viewport(
    sized_page: Page,
    local_stack: LocalStack,
    user: str,
    api_user: ApiUser,
    make_csv: Callable[..., Path],
):
    # Given a rejected job, and a staged file that lacks a required column
    page = sized_page
    width = page.viewport_size["width"]  # type: ignore[index]
    rejected = make_csv("rejected", with_text_in_first_row)
    api_user.finished(rejected, "REJECTED")
    lacking = make_csv("lacking", lambda frame: frame.drop(columns=["mean radius"]))
    sign_in(page, local_stack.web_url, user, USER_PASSWORD)
    expect_job_to_end(job_row(page, rejected.name), "Rejected")
    widths = {"jobs listed": page.evaluate(PAGE_WIDTH)}

    # When the file is staged (its preview has a "(missing)" column), then the job's details open
    choose(page, lacking)
    expect(page.get_by_text("Cannot be uploaded")).to_be_visible()
    widths["preview of a file missing a column"] = page.evaluate(PAGE_WIDTH)
    job_row(page, rejected.name).get_by_role("button", name="Details").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    widths["job details open"] = page.evaluate(PAGE_WIDTH)
    save_screenshot(page, f"job-details-{width}", full_page=True)

    # Then no state of the page is wider than the window, and the jobs fit their panel
    assert all(value <= width for value in widths.values()), widths
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    jobs_overflow = page.evaluate(
        """() => { const wrap = document.querySelector(".table-wrap");
                   return wrap.scrollWidth - wrap.clientWidth; }"""
    )
    assert jobs_overflow <= 0


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True)
def test_notices_never_cover_a_control(
    sized_page: Page, local_stack: LocalStack, user: str, api_user: ApiUser, good_csv: Path
):
    # Given a finished job in the list
    page = sized_page
    api_user.finished(good_csv, "SUCCEEDED")
    sign_in(page, local_stack.web_url, user, USER_PASSWORD)
    row = job_row(page, good_csv.name)
    expect_job_to_end(row, "Succeeded")

    # When notices pile up: a download, then a staged file
    row.get_by_role("button", name="Download").click()
    expect(page.get_by_text(re.compile(r"^Downloading"))).to_be_visible()
    choose(page, good_csv)
    expect(page.locator(".toast")).to_have_count(2)

    # Then every control on screen can be seen and clicked, at the top and scrolled to the jobs
    covered = {"top": page.evaluate(COVERED_CONTROLS)}
    page.get_by_role("button", name="Refresh").scroll_into_view_if_needed()
    row.get_by_role("button", name="Delete").scroll_into_view_if_needed()
    covered["at the jobs"] = page.evaluate(COVERED_CONTROLS)
    save_screenshot(page, f"notices-{page.viewport_size['width']}")  # type: ignore[index]
    assert covered == {"top": [], "at the jobs": []}


# Uploading


def test_the_upload_bar_and_its_text_always_agree(
    signed_in: Page, sample_frame: pd.DataFrame, tmp_path: Path
):
    # Given a file big enough to report its upload progress several times
    big = rows_csv(sample_frame, 40_000, tmp_path / f"big-{uuid.uuid4().hex[:6]}.csv")
    signed_in.evaluate(
        """() => {
            window.__pairs = [];
            new MutationObserver(() => {
              const item = document.querySelector(".staged__item");
              const bar = item?.querySelector("progress");
              const text = item?.querySelector(".staged__status")?.textContent || "";
              const shown = text.match(/^Uploading… (\\d+)%/);
              if (shown) window.__pairs.push([Number(shown[1]), bar.value]);
            }).observe(document.getElementById("staged"),
                       { childList: true, subtree: true, characterData: true });
        }"""
    )

    # When it is uploaded
    choose(signed_in, big)
    start_upload(signed_in)
    expect(signed_in.get_by_text("Uploaded", exact=True)).to_be_visible(timeout=JOB_TIMEOUT_MS)

    # Then whenever the text said a percentage, the bar showed the same
    pairs = signed_in.evaluate("() => window.__pairs")
    assert pairs, "no upload progress was shown"
    assert all(text == bar for text, bar in pairs), pairs


def test_a_started_upload_keeps_its_job_in_sight(signed_in: Page, good_csv: Path):
    # Given a staged file with its checks and preview open
    choose(signed_in, good_csv)
    expect(signed_in.get_by_role("region", name=re.compile("^Preview of"))).to_be_visible()

    # When the analyst starts the upload
    start_upload(signed_in)

    # Then the preview folds away and the new job's row is on screen, marked as from the web
    row = job_row(signed_in, good_csv.name)
    expect(row).to_be_in_viewport()
    expect(signed_in.get_by_role("region", name=re.compile("^Preview of"))).to_be_hidden()
    expect_job_to_end(row, "Succeeded")
    expect(row).to_contain_text("web")


# Telling jobs apart, and the whole story of one


def test_same_name_jobs_are_told_apart(signed_in: Page, api_user: ApiUser, good_csv: Path):
    # Given two finished jobs of the same file
    first = api_user.finished(good_csv, "SUCCEEDED")
    second = api_user.finished(good_csv, "SUCCEEDED")
    signed_in.get_by_role("button", name="Refresh").click()

    # When the list shows them
    rows = job_row(signed_in, good_csv.name)
    expect(rows).to_have_count(2)

    # Then each row has its own short id, the file's size, its duration and the model,
    # and the model's name and version each stay on one line
    for job_id in (first, second):
        row = rows.filter(has_text=job_id[:8])
        expect(row).to_have_count(1)
        expect(row).to_contain_text(re.compile(r"\d+(\.\d)? KB"))
        expect(row).to_contain_text(re.compile(r"took \d"))
        expect(row).to_contain_text("model breast-cancer")
    lines = signed_in.evaluate(
        """() => [...document.querySelectorAll(".file-model .fact")]
            .map((fact) => fact.getClientRects().length)"""
    )
    assert lines
    assert all(count == 1 for count in lines), lines


def test_a_download_says_it_has_started(signed_in: Page, api_user: ApiUser, good_csv: Path):
    # Given a finished job
    api_user.finished(good_csv, "SUCCEEDED")
    row = job_row(signed_in, good_csv.name)
    signed_in.get_by_role("button", name="Refresh").click()
    expect_job_to_end(row, "Succeeded")

    # When the analyst downloads its workbook
    with signed_in.expect_download() as download:
        row.get_by_role("button", name="Download").click()

    # Then the page confirms it, naming the workbook
    assert download.value.suggested_filename == good_csv.with_suffix(".xlsx").name
    expect(signed_in.get_by_text(f"Downloading {good_csv.stem}.xlsx")).to_be_visible()


def test_the_details_view_lists_every_problem_page_by_page(
    signed_in: Page, api_user: ApiUser, make_csv: Callable[..., Path]
):
    # Given a job rejected for 23 unreadable rows (more than a row of the list shows)
    def text_in_23_rows(frame: pd.DataFrame) -> pd.DataFrame:
        frame["mean radius"] = frame["mean radius"].astype(object)
        frame.loc[frame.index[:23], "mean radius"] = "abc"
        return frame

    bad = make_csv("many-problems", text_in_23_rows)
    api_user.finished(bad, "REJECTED")
    signed_in.get_by_role("button", name="Refresh").click()
    row = job_row(signed_in, bad.name)
    expect_job_to_end(row, "Rejected")

    # When the analyst asks for all of them
    row.get_by_role("button", name=re.compile(r"^Show all 23 problems")).click()

    # Then the details view lists them 20 at a time, with their lines, and pages to the rest
    dialog = signed_in.get_by_role("dialog")
    problems = dialog.get_by_role("list", name=re.compile("^Problems"))
    expect(problems.get_by_role("listitem")).to_have_count(20)
    expect(problems).to_contain_text("Line 2, column “mean radius”:")
    expect(dialog).to_contain_text("1\u201320 of 23")
    dialog.get_by_role("button", name="Next problems").click()
    expect(problems.get_by_role("listitem")).to_have_count(3)
    expect(problems).to_contain_text("Line 24, column “mean radius”:")
    expect(dialog).to_contain_text("21\u201323 of 23")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_warnings_show_in_the_row_and_in_full_in_the_details_view(
    signed_in: Page, api_user: ApiUser, good_csv: Path
):
    # Given a finished job that the API reports with warnings (values scored anyway)
    job_id = api_user.finished(good_csv, "SUCCEEDED")
    warnings = [
        {"line": 3, "column": "mean area", "message": "empty: imputed with the training median"},
        *(
            {
                "line": 4 + i,
                "column": "mean radius",
                "message": "-1e9 is below the training minimum 6.98",
            }
            for i in range(24)
        ),
    ]

    def with_warnings(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        for job in body.get("items", [body]):
            if job.get("job_id") == job_id:
                job.update(warnings=warnings, warnings_total=1_500)
        route.fulfill(response=answer, body=json.dumps(body))

    signed_in.route(re.compile(r"/jobs(\?|/[0-9a-f]{32}$)"), with_warnings)
    signed_in.get_by_role("button", name="Refresh").click()
    row = job_row(signed_in, good_csv.name)

    # When the analyst opens them from the job's row (the view then reads the job afresh)
    with signed_in.expect_response(lambda answer: answer.url.endswith(f"/jobs/{job_id}")):
        row.get_by_role("button", name=re.compile(r"^1,500 warnings")).click()

    # Then the details view says how many there are and lists them with line and column, paged
    section = signed_in.get_by_role("dialog").get_by_role("region", name=re.compile("^Warnings"))
    expect(section.get_by_role("heading")).to_have_text("Warnings (1,500)")
    expect(section).to_contain_text("Line 3, column “mean area”: empty: imputed")
    expect(section).to_contain_text("1\u201320 of 25 (1,500 in all, the first 25 listed)")
    section.get_by_role("button", name="Next warnings").click()
    expect(section.get_by_role("listitem")).to_have_count(5)


# Sign-in across tabs


def test_a_second_tab_shares_the_sign_in_and_sign_out_ends_both(
    context: BrowserContext, signed_in: Page, local_stack: LocalStack
):
    # Given a signed-in tab
    # When the analyst opens the page in a second tab
    second = context.new_page()
    second.goto(local_stack.web_url)

    # Then it is signed in without asking again
    expect(second.get_by_role("table", name="Jobs")).to_be_visible()
    expect(second.get_by_role("button", name="Sign in")).to_be_hidden()

    # And signing out in it signs out the first tab too; no token was kept in localStorage
    second.get_by_role("button", name="Sign out").click()
    expect(signed_in.get_by_role("button", name="Sign in")).to_be_visible()
    expect(signed_in.get_by_text("You signed out in another tab.")).to_be_visible()
    assert signed_in.evaluate("() => localStorage.length") == 0
    second.close()


def test_a_tab_opened_alone_still_asks_for_the_password(page: Page, local_stack: LocalStack):
    # Given no open tab of the page
    # When it is opened
    page.goto(local_stack.web_url)

    # Then the sign-in form is shown
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
