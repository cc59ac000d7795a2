"""An .xlsx of several sheets on the web page: the analyst picks the sheet to score (a select
shown only for such workbooks, the first sheet chosen at first), and the job reads that one."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import requests
from playwright.sync_api import Page, expect

from tests.browser.files_to_upload import choose
from tests.browser.support import ApiUser, expect_job_to_end, job_row


def two_sheets(path: Path, first: pd.DataFrame, second: pd.DataFrame) -> Path:
    book = openpyxl.Workbook()
    for sheet, (title, frame) in zip(
        [book.active, book.create_sheet()], [("January", first), ("March", second)], strict=True
    ):
        assert sheet is not None
        sheet.title = title
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append([float(value) for value in record])
    book.save(path)
    return path


def result_rows(api_user: ApiUser, job_id: str) -> list[tuple[object, ...]]:
    link = requests.get(
        f"{api_user.stack.api_url}/jobs/{job_id}/result", headers=api_user.headers, timeout=30
    )
    link.raise_for_status()
    body = requests.get(link.json()["url"], timeout=30)
    body.raise_for_status()
    book = openpyxl.load_workbook(io.BytesIO(body.content), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def job_of(api_user: ApiUser, filename: str) -> dict:
    listed = requests.get(f"{api_user.stack.api_url}/jobs", headers=api_user.headers, timeout=30)
    listed.raise_for_status()
    (job,) = [job for job in listed.json()["items"] if job["filename"] == filename]
    return dict(job)


def test_the_second_sheet_picked_is_the_one_scored(
    signed_in: Page, api_user: ApiUser, tmp_path: Path, sample_frame: pd.DataFrame
):
    # Given a workbook whose sheets hold different rows: 3 in January, 7 in March
    january, march = sample_frame.iloc[:3], sample_frame.iloc[10:17]
    path = two_sheets(tmp_path / "quarter.xlsx", january, march)

    # When the analyst chooses it, the first sheet is read and a sheet picker offers both
    item = choose(signed_in, path)
    expect(item).to_contain_text('Sheet "January" is read (the first of 2 sheets).')
    picker = item.get_by_label(f"Sheet of {path.name}")
    expect(picker).to_have_value("January")
    expect(picker.get_by_role("option")).to_have_text(["January", "March"])

    # When they pick March
    picker.select_option("March")

    # Then March is checked and previewed (header and its first 5 rows)
    expect(item).to_contain_text('Sheet "March" is read (2 of 2 sheets).')
    expect(item).to_contain_text("Ready to upload")
    preview = item.get_by_role("table")
    expect(preview.get_by_role("row")).to_have_count(6)
    expect(preview.get_by_role("row").nth(1)).to_contain_text(f"{march.iloc[0, 1]:g}")

    # When it is uploaded / Then the job reads March: its rows, in order, with predictions
    signed_in.get_by_role("button", name=re.compile(r"^Start upload")).click()
    expect_job_to_end(job_row(signed_in, path.name), "Succeeded")
    job = job_of(api_user, path.name)
    assert (job["sheet"], job["rows_done"]) == ("March", 7)
    rows = result_rows(api_user, job["job_id"])
    assert rows[0][: len(march.columns)] == tuple(march.columns)
    assert len(rows) == 1 + len(march)
    assert rows[1][0] == march.iloc[0, 0]
    assert "prediction" in rows[0]


def test_a_workbook_of_one_sheet_shows_no_picker(signed_in: Page, tmp_path: Path, sample_frame):
    # Given a workbook of one sheet
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(sample_frame.columns))
    for record in sample_frame.head(3).itertuples(index=False):
        sheet.append([float(value) for value in record])
    path = tmp_path / "single.xlsx"
    book.save(path)

    # When it is chosen / Then it is ready, with no sheet to pick
    item = choose(signed_in, path)
    expect(item).to_contain_text("Ready to upload")
    expect(item.get_by_label(f"Sheet of {path.name}")).to_have_count(0)
