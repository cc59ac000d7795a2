"""A scored job's details show its prediction distribution as an SVG chart drawn in the page,
next to the result's download."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.support import (
    GOOD_ROWS,
    ApiUser,
    expect_job_to_end,
    job_row,
    save_screenshot,
)


def test_the_details_of_a_scored_job_chart_its_predicted_classes(
    signed_in: Page, api_user: ApiUser, good_csv: Path
) -> None:
    # Given a job that succeeded, and its distribution as the API tells it
    page = signed_in
    job_id = api_user.finished(good_csv, "SUCCEEDED")
    distribution = api_user.job(job_id)["prediction_distribution"]
    page.get_by_role("button", name="Refresh").click()
    row = job_row(page, good_csv.name)
    expect_job_to_end(row, "Succeeded")

    # When its details open
    row.get_by_role("button", name="Details").click()
    dialog = page.get_by_role("dialog")
    section = dialog.locator("#job-predictions")
    expect(section).to_be_visible()

    # Then an inline SVG has one bar per class with the job's counts, beside the download
    chart = section.locator("svg.prediction-chart")
    expect(chart).to_be_visible()
    bars = chart.locator("g.prediction-chart__bar")
    expect(bars).to_have_count(len(distribution["bins"]))
    drawn = {
        bar.get_attribute("data-label"): int(bar.get_attribute("data-count") or -1)
        for bar in bars.all()
    }
    assert drawn == {b["label"]: b["count"] for b in distribution["bins"]}
    assert sum(drawn.values()) == GOOD_ROWS
    heights = [float(r.get_attribute("height") or 0) for r in chart.locator("rect").all()]
    assert max(heights) > 0
    label = chart.get_attribute("aria-label") or ""
    assert all(name in label for name in drawn)
    expect(section.get_by_role("button", name="Download result")).to_be_visible()
    save_screenshot(page, "job-prediction-chart", locator=dialog)

    # And the download next to it fetches the workbook
    with page.expect_download() as download:
        section.get_by_role("button", name="Download result").click()
    assert download.value.suggested_filename == good_csv.name.replace(".csv", ".xlsx")
