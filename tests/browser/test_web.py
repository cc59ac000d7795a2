"""The analyst's web page in a real browser, against the local stack."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pandas as pd
import requests
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.support import (
    GOOD_ROWS,
    JOB_TIMEOUT_MS,
    USER_PASSWORD,
    ApiUser,
    expect_job_to_end,
    job_row,
    save_screenshot,
    sign_in,
)
from tests.local_stack import LocalStack

PHONE = {"width": 390, "height": 844}

# Replaces the browser's Notification so that a test can see what the page would show.
RECORD_NOTIFICATIONS = """
window.__notifications = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options = {}) { window.__notifications.push({ title, body: options.body }); }
  addEventListener() {}
  close() {}
};
"""


def upload(page: Page, *files: Path) -> None:
    page.get_by_label("Upload CSV").set_input_files(list(files))
    page.get_by_role("button", name=re.compile(r"^Start upload")).click()


def show_latest_jobs(page: Page) -> None:
    """Jobs made through the API appear on the next poll; the Refresh button does not wait."""
    page.get_by_role("button", name="Refresh").click()


def staged_file(page: Page, path: Path) -> Locator:
    return (
        page.get_by_role("list", name="Files to upload")
        .get_by_role("listitem")
        .filter(has_text=path.name)
    )


# Sign-in and session


def test_sign_in_shows_the_jobs_panel_and_the_user(signed_in: Page, user: str):
    # Given a signed-in analyst (fixture)
    # Then the jobs panel, an empty list and their email are shown
    expect(signed_in.get_by_role("table", name="Jobs")).to_be_visible()
    expect(signed_in.get_by_text("No jobs yet")).to_be_visible()
    expect(signed_in.get_by_text(user)).to_be_visible()


def test_wrong_password_shows_a_clear_message(page: Page, local_stack: LocalStack, user: str):
    # Given an existing user
    # When they sign in with a wrong password
    sign_in(page, local_stack.web_url, user, "Not-The-Password-1")

    # Then the page says so and stays on the sign-in form
    expect(
        page.get_by_role("alert").filter(has_text="Incorrect email or password.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_first_sign_in_asks_for_a_new_password(page: Page, local_stack: LocalStack):
    # Given a user created by an administrator with a temporary password
    email = f"new-{uuid.uuid4().hex[:10]}@example.com"
    local_stack.boto3_client("cognito-idp").admin_create_user(
        UserPoolId=local_stack.outputs["UserPoolId"],
        Username=email,
        TemporaryPassword="Temporary-Pass-1",
        UserAttributes=[{"Name": "email", "Value": email}],
        MessageAction="SUPPRESS",
    )

    # When they sign in and choose a new password
    sign_in(page, local_stack.web_url, email, "Temporary-Pass-1")
    page.get_by_label("New password", exact=True).fill("Chosen-Password-1")
    page.get_by_label("Confirm new password").fill("Chosen-Password-1")
    page.get_by_role("button", name="Set password and sign in").click()

    # Then they are signed in
    expect(page.get_by_role("table", name="Jobs")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()


def test_session_survives_a_reload(signed_in: Page):
    # Given a signed-in analyst
    # When the page is reloaded
    signed_in.reload()

    # Then they are still signed in
    expect(signed_in.get_by_role("button", name="Sign out")).to_be_visible()
    expect(signed_in.get_by_role("table", name="Jobs")).to_be_visible()


def test_an_expiring_session_is_refreshed(signed_in: Page):
    # Given a session whose ID token is about to expire
    signed_in.evaluate(
        """() => {
            const session = JSON.parse(sessionStorage.getItem("batchscore.session"));
            sessionStorage.setItem(
                "batchscore.session", JSON.stringify({ ...session, expiresAt: Date.now() }));
        }"""
    )

    # When the page is opened again
    with signed_in.expect_request(
        lambda request: "REFRESH_TOKEN_AUTH" in (request.post_data or "")
    ) as refresh:
        signed_in.reload()

    # Then it renewed the tokens with the refresh token and the analyst stays signed in
    assert refresh.value.response().ok
    expect(signed_in.get_by_role("table", name="Jobs")).to_be_visible()
    expect(signed_in.get_by_text("No jobs yet")).to_be_visible()


def test_sign_out_returns_to_the_sign_in_form_for_good(signed_in: Page):
    # Given a signed-in analyst
    # When they sign out and reload the page
    signed_in.get_by_role("button", name="Sign out").click()
    signed_in.reload()

    # Then the sign-in form is shown and the jobs are not
    expect(signed_in.get_by_role("button", name="Sign in")).to_be_visible()
    expect(signed_in.get_by_role("table", name="Jobs")).to_be_hidden()


def test_sign_in_works_with_the_keyboard_alone(page: Page, local_stack: LocalStack, user: str):
    # Given the sign-in form, shown once the page has read its config
    page.goto(local_stack.web_url)
    expect(page.get_by_label("Email")).to_be_visible()
    page.get_by_label("Email").focus()

    # When the analyst types, tabs and presses Enter
    page.keyboard.type(user)
    page.keyboard.press("Tab")
    page.keyboard.type(USER_PASSWORD)
    page.keyboard.press("Enter")

    # Then they are signed in
    expect(page.get_by_role("table", name="Jobs")).to_be_visible()


# Upload


def test_good_csv_reaches_succeeded(signed_in: Page, good_csv: Path):
    # Given a valid CSV
    # When the analyst uploads it
    upload(signed_in, good_csv)

    # Then its job appears and reaches Succeeded, with the rows counted
    row = job_row(signed_in, good_csv.name)
    expect_job_to_end(row, "Succeeded")
    expect(row).to_contain_text(f"{GOOD_ROWS} rows scored")


def test_each_file_shows_its_upload_progress(
    signed_in: Page, good_csv: Path, make_csv: Callable[..., Path]
):
    # Given two valid CSV files
    second_csv = make_csv("second")

    # When the analyst uploads both
    upload(signed_in, good_csv, second_csv)

    # Then each one has its own progress bar, which fills up
    for path in (good_csv, second_csv):
        item = staged_file(signed_in, path)
        bar = item.get_by_role("progressbar", name=f"Upload of {path.name}")
        expect(bar).to_have_js_property("value", 100)
        expect(item).to_contain_text("Uploaded")


def test_preview_shows_the_header_and_first_rows(signed_in: Page, good_csv: Path):
    # Given a valid CSV
    # When the analyst chooses it
    signed_in.get_by_label("Upload CSV").set_input_files(good_csv)

    # Then its header and first rows are previewed, and it is ready to upload
    item = staged_file(signed_in, good_csv)
    preview = item.get_by_role("table")
    expect(preview.get_by_role("columnheader", name="mean radius")).to_be_visible()
    expect(preview.get_by_role("row")).to_have_count(6)
    expect(item).to_contain_text("Ready to upload")


def test_dropped_files_are_checked_like_chosen_ones(signed_in: Page, good_csv: Path):
    # Given a CSV dragged from the desktop
    dropped = signed_in.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "text/csv" }));
            return transfer;
        }""",
        [good_csv.name, good_csv.read_text()],
    )

    # When it is dropped on the upload area
    signed_in.locator("#dropzone").dispatch_event("drop", {"dataTransfer": dropped})

    # Then it is checked and ready to upload
    expect(staged_file(signed_in, good_csv)).to_contain_text("Ready to upload")
    expect(signed_in.get_by_role("button", name="Start upload")).to_be_enabled()


def test_semicolon_separated_files_are_read_like_the_server_reads_them(
    signed_in: Page, tmp_path: Path, sample_frame: pd.DataFrame
):
    # Given a CSV separated by semicolons, as spreadsheets write it in many locales
    path = tmp_path / "semicolons.csv"
    sample_frame.to_csv(path, sep=";", index=False)

    # When the analyst chooses it
    signed_in.get_by_label("Upload CSV").set_input_files(path)

    # Then its columns are recognised
    item = staged_file(signed_in, path)
    expect(item).to_contain_text("All required columns are present.")
    expect(item.get_by_role("columnheader", name="worst fractal dimension")).to_be_visible()


def test_missing_required_columns_are_flagged_before_upload(
    signed_in: Page, make_csv: Callable[..., Path]
):
    # Given a CSV without the required column "mean area"
    path = make_csv("missing", lambda frame: frame.drop(columns=["mean area"]))

    # When the analyst chooses it
    signed_in.get_by_label("Upload CSV").set_input_files(path)

    # Then the missing column is named and the file cannot be sent
    item = staged_file(signed_in, path)
    expect(item).to_contain_text("1 required column is missing: mean area.")
    expect(item).to_contain_text("Cannot be uploaded")
    expect(signed_in.get_by_role("button", name="Start upload")).to_be_disabled()


def test_a_file_that_is_not_csv_is_refused_before_upload(signed_in: Page, tmp_path: Path):
    # Given a text file
    path = tmp_path / "notes.txt"
    path.write_text("mean radius\n1\n")

    # When the analyst chooses it
    signed_in.get_by_label("Upload CSV").set_input_files(path)

    # Then the page refuses it
    expect(staged_file(signed_in, path)).to_contain_text(
        "Only .csv, .csv.gz and .xlsx files can be scored."
    )
    expect(signed_in.get_by_role("button", name="Start upload")).to_be_disabled()


def test_bad_csv_shows_its_errors_by_line_and_column(signed_in: Page, bad_csv: Path):
    # Given a CSV whose first data row has text in a numeric column
    # When the analyst uploads it
    upload(signed_in, bad_csv)

    # Then the job is rejected and the error names the line and the column
    row = job_row(signed_in, bad_csv.name)
    expect_job_to_end(row, "Rejected")
    expect(row.get_by_role("list", name="Errors")).to_contain_text(
        re.compile(r"Line 2, column “mean radius”")
    )


def test_job_end_shows_a_notice_and_a_browser_notification(
    context: BrowserContext, local_stack: LocalStack, user: str, good_csv: Path
):
    # Given a signed-in analyst who allowed notifications
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    sign_in(page, local_stack.web_url, user, USER_PASSWORD)

    # When a job they uploaded ends
    upload(page, good_csv)

    expect_job_to_end(job_row(page, good_csv.name), "Succeeded")

    # Then the page shows a notice and a browser notification
    expect(page.get_by_role("status").filter(has_text=f"{good_csv.name} succeeded")).to_be_visible()
    titles = page.evaluate("() => window.__notifications.map((n) => n.title)")
    assert titles == [f"batchscore: {good_csv.name} succeeded"]


# Jobs panel


def test_succeeded_job_downloads_a_workbook_with_predictions(
    signed_in: Page, api_user: ApiUser, good_csv: Path, tmp_path: Path
):
    # Given a succeeded job
    api_user.finished(good_csv, "SUCCEEDED")
    show_latest_jobs(signed_in)
    row = job_row(signed_in, good_csv.name)

    # When the analyst downloads its result
    with signed_in.expect_download() as download_info:
        row.get_by_role("button", name="Download").click()
    download = download_info.value

    # Then the workbook opens, with the input rows and a prediction column
    assert download.suggested_filename == f"{good_csv.stem}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "mean radius"
    assert "prediction" in rows[0]
    assert len(rows) == 1 + GOOD_ROWS


def test_retry_queues_a_rejected_job_again(signed_in: Page, api_user: ApiUser, bad_csv: Path):
    # Given a rejected job
    api_user.finished(bad_csv, "REJECTED")
    show_latest_jobs(signed_in)
    row = job_row(signed_in, bad_csv.name)

    # When the analyst retries it
    row.get_by_role("button", name="Retry").click()

    # Then it is queued again, and the page follows it until it ends again
    expect(signed_in.get_by_text(f"{bad_csv.name} is queued again.")).to_be_visible()
    expect(
        signed_in.get_by_role("alert").filter(has_text=f"{bad_csv.name} rejected")
    ).to_be_visible(timeout=JOB_TIMEOUT_MS)


def test_archive_moves_the_job_to_archived_jobs(signed_in: Page, api_user: ApiUser, good_csv: Path):
    # Given a finished job
    api_user.finished(good_csv, "SUCCEEDED")
    show_latest_jobs(signed_in)
    row = job_row(signed_in, good_csv.name)

    # When the analyst archives it
    row.get_by_role("button", name="Archive").click()

    # Then it leaves the active list and is listed under Archived
    expect(row).to_have_count(0)
    signed_in.get_by_role("button", name="Archived").click()
    expect(
        job_row(signed_in, good_csv.name).get_by_role("button", name="Unarchive")
    ).to_be_visible()


def test_delete_removes_the_job_after_confirmation(
    signed_in: Page, api_user: ApiUser, local_stack: LocalStack, good_csv: Path
):
    # Given a finished job
    job_id = api_user.finished(good_csv, "SUCCEEDED")
    show_latest_jobs(signed_in)

    # When the analyst deletes it and confirms
    job_row(signed_in, good_csv.name).get_by_role("button", name="Delete").click()
    signed_in.get_by_role("dialog", name="Delete job?").get_by_role(
        "button", name="Delete job"
    ).click()

    # Then it is gone from the page and from the API
    expect(job_row(signed_in, good_csv.name)).to_have_count(0)
    answer = requests.get(
        f"{local_stack.api_url}/jobs/{job_id}", headers=api_user.headers, timeout=30
    )
    assert answer.status_code == 404


def test_cancelled_delete_keeps_the_job(signed_in: Page, api_user: ApiUser, good_csv: Path):
    # Given a finished job
    api_user.finished(good_csv, "SUCCEEDED")
    show_latest_jobs(signed_in)
    row = job_row(signed_in, good_csv.name)

    # When the analyst starts deleting it, then cancels
    row.get_by_role("button", name="Delete").click()
    signed_in.get_by_role("dialog", name="Delete job?").get_by_role("button", name="Cancel").click()

    # Then the job is still listed
    expect(signed_in.get_by_role("dialog")).to_be_hidden()
    expect(row).to_have_count(1)


def test_status_filter_shows_only_matching_jobs(
    signed_in: Page, api_user: ApiUser, good_csv: Path, bad_csv: Path
):
    # Given a succeeded and a rejected job
    api_user.finished(good_csv, "SUCCEEDED")
    api_user.finished(bad_csv, "REJECTED")
    show_latest_jobs(signed_in)
    expect(job_row(signed_in, bad_csv.name)).to_have_count(1)
    save_screenshot(signed_in, "jobs-panel-desktop", locator=signed_in.locator("section.jobs"))

    # When the analyst shows only rejected jobs
    signed_in.get_by_label("Status").select_option(label="Rejected")

    # Then only the rejected job is listed
    expect(job_row(signed_in, good_csv.name)).to_have_count(0)
    expect(job_row(signed_in, bad_csv.name)).to_have_count(1)


def test_long_lists_are_paged(signed_in: Page, api_user: ApiUser, local_stack: LocalStack):
    # Given eleven jobs (created, never uploaded)
    for number in range(11):
        requests.post(
            f"{local_stack.api_url}/jobs",
            json={"filename": f"batch-{number:02d}.csv"},
            headers=api_user.headers,
            timeout=30,
        ).raise_for_status()
    show_latest_jobs(signed_in)
    table_rows = signed_in.get_by_role("table", name="Jobs").locator("tbody").get_by_role("row")
    expect(table_rows).to_have_count(10)

    # When the analyst goes to the next page
    signed_in.get_by_role("button", name="Next page").click()

    # Then it holds the oldest job
    expect(table_rows).to_have_count(1)
    expect(table_rows).to_contain_text("batch-00.csv")


def test_keyboard_focus_stays_put_while_the_list_updates(
    signed_in: Page, api_user: ApiUser, local_stack: LocalStack
):
    # Given a job waiting for its upload, which the page keeps polling
    requests.post(
        f"{local_stack.api_url}/jobs",
        json={"filename": "waiting.csv"},
        headers=api_user.headers,
        timeout=30,
    ).raise_for_status()
    show_latest_jobs(signed_in)
    delete = job_row(signed_in, "waiting.csv").get_by_role("button", name="Delete")
    delete.focus()

    # When the list updates twice
    updated = signed_in.locator("#jobs-updated")
    for _ in range(2):
        expect(updated).not_to_have_text(updated.inner_text())

    # Then the keyboard focus is still on the same button
    expect(delete).to_be_focused()


# The page itself


def test_page_makes_no_requests_outside_the_stack(
    page: Page, local_stack: LocalStack, user: str, good_csv: Path
):
    # Given a record of every request the page makes
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))

    # When the analyst signs in and uploads a file
    sign_in(page, local_stack.web_url, user, USER_PASSWORD)
    upload(page, good_csv)
    expect_job_to_end(job_row(page, good_csv.name), "Succeeded")

    # Then every request went to the local stack
    assert hosts == {"127.0.0.1"}


def test_phone_width_needs_no_sideways_scrolling(
    context: BrowserContext, local_stack: LocalStack, user: str, api_user: ApiUser, bad_csv: Path
):
    # Given a rejected job and a phone-sized window
    api_user.finished(bad_csv, "REJECTED")
    page = context.new_page()
    page.set_viewport_size(PHONE)

    # When the analyst signs in
    sign_in(page, local_stack.web_url, user, USER_PASSWORD)
    expect_job_to_end(job_row(page, bad_csv.name), "Rejected")

    # Then the page fits the width, the job's actions included
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    retry = job_row(page, bad_csv.name).get_by_role("button", name="Retry").bounding_box()
    assert retry is not None
    assert retry["x"] >= 0
    assert retry["x"] + retry["width"] <= PHONE["width"]
    save_screenshot(page, "page-phone", full_page=True)


def test_every_control_has_an_accessible_name(signed_in: Page, good_csv: Path):
    # Given the signed-in page with a staged file
    signed_in.get_by_label("Upload CSV").set_input_files(good_csv)
    expect(staged_file(signed_in, good_csv)).to_contain_text("Ready to upload")

    # When the visible controls are listed
    unnamed = signed_in.evaluate(
        """() => [...document.querySelectorAll("button, input, select, a[href]")]
            .filter((el) => el.checkVisibility() || el.type === "file")
            .filter((el) => !(el.labels?.length || el.getAttribute("aria-label")
                || el.getAttribute("aria-labelledby") || el.textContent.trim()))
            .map((el) => el.outerHTML)"""
    )

    # Then each one has a name
    assert unnamed == []


def test_api_reference_renders_the_openapi_description(page: Page, local_stack: LocalStack):
    # Given the bundled API reference page
    # When it is opened
    page.goto(f"{local_stack.web_url}/api.html")

    # Then it lists the API's operations from /openapi.json
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="POST /jobs", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="GET /jobs/{job_id}/result")).to_be_visible()
    save_screenshot(page, "api-reference")
