"""Excel and gzip files on the web page: checked and previewed in the browser (DecompressionStream,
DOMParser), uploaded, scored; hostile workbooks refused before upload (issue 16)."""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from playwright.sync_api import Page, expect

from tests.browser.files_to_upload import choose
from tests.browser.support import expect_job_to_end, job_row


def save_workbook(path: Path, frame: pd.DataFrame, header: list[str]) -> Path:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    data = book.create_sheet("Data", 0)  # the first sheet; a second one is a decoy
    notes.title = "Notes"
    notes.append(["not", "features"])
    data.append(header)
    for record in frame.itertuples(index=False):
        data.append([float(value) for value in record])
    book.save(path)
    return path


def test_an_xlsx_is_previewed_checked_and_scored(signed_in: Page, tmp_path: Path, sample_frame):
    # Given a workbook whose first header name is typed in capitals with a non-breaking space
    header = list(sample_frame.columns)
    header[0] = header[0].upper().replace(" ", "\u00a0")
    path = save_workbook(tmp_path / "march.xlsx", sample_frame, header)

    # When the analyst chooses it
    item = choose(signed_in, path)

    # Then the browser reads its first sheet: header and rows, the match said, ready to upload
    expect(item).to_contain_text("Ready to upload")
    expect(item).to_contain_text('Sheet "Data" is read (the first of 2 sheets).')
    expect(item).to_contain_text(f'is read as "{sample_frame.columns[0]}"')
    preview = item.get_by_role("table")
    expect(preview.get_by_role("columnheader", name="worst fractal dimension")).to_be_visible()
    expect(preview.get_by_role("row")).to_have_count(6)
    first = f"{sample_frame.iloc[0, 1]:g}"
    expect(preview.get_by_role("row").nth(1)).to_contain_text(first)

    # When it is uploaded / Then it is scored
    signed_in.get_by_role("button", name=re.compile(r"^Start upload")).click()
    expect_job_to_end(job_row(signed_in, path.name), "Succeeded")


def test_a_csv_gz_is_previewed_and_ready(signed_in: Page, tmp_path: Path, sample_frame):
    # Given a gzipped CSV
    path = tmp_path / "daily.csv.gz"
    path.write_bytes(gzip.compress(sample_frame.to_csv(index=False).encode()))

    # When the analyst chooses it / Then its header and rows are read from the inflated text
    item = choose(signed_in, path)
    expect(item).to_contain_text("All required columns are present.")
    expect(item.get_by_role("columnheader", name="mean radius")).to_be_visible()
    expect(item).to_contain_text("Ready to upload")


def macro_enabled(path: Path, source: Path) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as target:
        for member in original.infolist():
            target.writestr(member, original.read(member))
        target.writestr("xl/vbaProject.bin", b"\0" * 64)
    return path


def test_hostile_workbooks_and_ambiguous_headers_are_refused_before_upload(
    signed_in: Page, tmp_path: Path, sample_frame
):
    # Given a CSV renamed .xlsx, a workbook with macros, an encrypted one, and a workbook with
    # one column written twice in two ways
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_text(sample_frame.to_csv(index=False))
    good = save_workbook(tmp_path / "good.xlsx", sample_frame, list(sample_frame.columns))
    macros = macro_enabled(tmp_path / "macros.xlsx", good)
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    header = list(sample_frame.columns)
    header[5] = header[0].upper()
    twice = save_workbook(tmp_path / "twice.xlsx", sample_frame, header)

    # When each is chosen / Then each is refused with its reason, and nothing can be sent
    for path, reason in (
        (renamed, "This file is not an Excel workbook (.xlsx)."),
        (macros, "Macro-enabled workbooks (.xlsm) are refused"),
        (encrypted, "encrypted (password-protected) or an old .xls"),
        (twice, f'both match the model\'s column "{sample_frame.columns[0]}"'),
    ):
        item = choose(signed_in, path)
        expect(item).to_contain_text(reason)
        expect(item).to_contain_text("Cannot be uploaded")
    expect(signed_in.get_by_role("button", name="Start upload")).to_be_disabled()
