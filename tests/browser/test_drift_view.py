"""The job's drift in the details view: its status and a chart of value against threshold."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from tests.browser.support import ApiUser, expect_job_to_end, job_row, save_screenshot
from tests.drift_files import SHIFTED_FEATURE, shifted_csv


def open_details(page: Page, filename: str) -> None:
    page.get_by_role("button", name="Refresh").click()
    row = job_row(page, filename)
    expect_job_to_end(row, "Succeeded")
    row.get_by_role("button", name="Details").click()


def test_a_drifted_job_shows_its_status_and_a_bar_per_feature(
    signed_in: Page, api_user: ApiUser, tmp_path: Path
):
    # Given a finished job whose file has one feature shifted
    source = tmp_path / "shifted-features.csv"
    source.write_bytes(shifted_csv())
    api_user.finished(source, "SUCCEEDED")

    # When the analyst opens its details
    open_details(signed_in, source.name)

    # Then the drift section says so, names the feature, and draws its bar past its threshold
    section = signed_in.get_by_role("dialog").get_by_role("region", name=re.compile("^Drift"))
    expect(section.get_by_role("heading")).to_have_text(
        "Drift: this data is unlike the training data"
    )
    expect(section).to_contain_text(f"Differ from training: {SHIFTED_FEATURE} (drift)")
    chart = section.get_by_role("img", name=re.compile("^Drift per feature"))
    expect(chart).to_be_visible()
    bars = chart.locator("g.drift-row")
    expect(bars).to_have_count(12)  # the 12 most severe of the model's 30 features
    first = bars.first
    expect(first).to_have_attribute("data-feature", SHIFTED_FEATURE)
    bar_end = float(
        first.locator("rect.drift-bar").evaluate("r => r.x.baseVal.value + r.width.baseVal.value")
    )
    mark = float(first.locator("line.drift-threshold").evaluate("l => l.x1.baseVal.value"))
    assert bar_end > mark
    second = bars.nth(1)
    bar_end = float(
        second.locator("rect.drift-bar").evaluate("r => r.x.baseVal.value + r.width.baseVal.value")
    )
    mark = float(second.locator("line.drift-threshold").evaluate("l => l.x1.baseVal.value"))
    assert bar_end < mark
    expect(section).to_contain_text("18 more features, all within their thresholds.")
    save_screenshot(signed_in, "job-drift", locator=section)


def test_a_job_without_a_reference_says_drift_was_not_measured(
    signed_in: Page, api_user: ApiUser, good_csv: Path
):
    # Given a finished job that the API reports with drift unavailable (a bundle without a reference)
    job_id = api_user.finished(good_csv, "SUCCEEDED")
    unavailable = {
        "status": "unavailable",
        "features": [],
        "prediction": {"measure": None, "value": None, "status": "unavailable"},
    }

    def without_reference(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        for job in body.get("items", [body]):
            if job.get("job_id") == job_id:
                job["drift"] = unavailable
        route.fulfill(response=answer, body=json.dumps(body))

    signed_in.route(re.compile(r"/jobs(\?|/[0-9a-f]{32}$)"), without_reference)

    # When the analyst opens its details
    open_details(signed_in, good_csv.name)

    # Then the section says drift was not measured, with no chart
    section = signed_in.get_by_role("dialog").get_by_role("region", name=re.compile("^Drift"))
    expect(section.get_by_role("heading")).to_have_text("Drift: not measured")
    expect(section.get_by_role("img")).to_have_count(0)
