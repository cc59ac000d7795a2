"""The web page's list of files to upload, as the browser tests fill it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page


def choose(page: Page, path: Path) -> Locator:
    """The file at `path` picked in the upload field; its entry in the list of files to upload."""
    page.get_by_label("Upload CSV").set_input_files(path)
    return (
        page.get_by_role("list", name="Files to upload")
        .get_by_role("listitem")
        .filter(has_text=path.name)
    )
