"""The Models view's retraining runs, in Chromium, against a fake registry with runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser import test_models_page as models_page
from tests.browser.test_models_page import FakeRegistry, _is_registry_call, open_models, open_page
from tests.local_stack import LocalStack

pytestmark = pytest.mark.browser
default_model = models_page.default_model  # the stack's GET /model, a fixture


def _run(run_id: str, status: str, checks: list[tuple[str, bool, str]], **extra: Any) -> dict:
    return {
        "run_id": run_id,
        "model": "breast-cancer",
        "trigger": "schedule",
        "status": status,
        "started_at": "2026-12-01T09:00:00Z",
        "ended_at": "2026-12-01T09:00:04Z",
        "rows": {"train": 421, "holdout": 148},
        "candidate_version": f"breast-cancer-logistic-{run_id}",
        "champion_version": "logreg-1",
        "metrics": {"candidate": {"roc_auc": 0.52}, "champion": {"roc_auc": 0.99}},
        "gate": {
            "passed": all(passed for _, passed, _ in checks),
            "checks": [{"name": n, "passed": p, "detail": d} for n, p, d in checks],
        },
        "error": None,
        **extra,
    }


RUNS = [
    _run(
        "r2",
        "KEPT_CHAMPION",
        [
            ("floor", False, "roc_auc 0.5200 >= 0.9500 (below the floor)"),
            ("champion", False, "roc_auc 0.5200 >= champion 0.9900 - tolerance 0.005"),
            ("schema", True, "the champion's 30 input columns"),
            ("steps", True, "every step succeeded"),
        ],
    ),
    _run(
        "r1",
        "FAILED",
        [],
        error={"code": "single_class", "message": "every row has the label 'benign'"},
    ),
]


class FakeRegistryWithRuns(FakeRegistry):
    def handle(self, route: Route, request: Request) -> None:
        parts = [unquote(p) for p in urlparse(request.url).path.strip("/").split("/")]
        if request.method == "GET" and len(parts) == 3 and parts[2] == "runs":
            self._answer(route, 200, {"items": RUNS if parts[1] == "breast-cancer" else []})
            return
        super().handle(route, request)


def test_the_models_view_lists_runs_with_the_gate_and_why(
    page: Page, local_stack: LocalStack, user: str, default_model: dict[str, Any]
) -> None:
    # Given a registry whose default model has a kept-champion run and a failed one
    fake = FakeRegistryWithRuns(default_model)
    page.route(_is_registry_call(local_stack.api_url), fake.handle)
    open_page(page, local_stack, user)

    # When the analyst opens the Models view
    open_models(page)

    # Then each run says what it decided and why, with the gate's checks
    runs = page.get_by_role("table", name="Retraining runs")
    kept = runs.locator('tr[data-run="r2"]')
    expect(kept).to_contain_text("champion kept")
    expect(kept).to_contain_text(
        "Champion kept: floor (roc_auc 0.5200 >= 0.9500 (below the floor))"
    )
    expect(kept.locator(".runs__check--failed")).to_have_count(2)
    failed = runs.locator('tr[data-run="r1"]')
    expect(failed).to_contain_text("Failed: every row has the label 'benign'")
