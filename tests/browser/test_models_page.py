"""The model picker and the Models view in a real browser, against the local stack.

The registry's answers (`/models...`) come from `FakeRegistry` through Playwright's request
routing, so these tests hold whether or not the stack serves the registry itself; everything
else (sign-in, `GET /model`, jobs, uploads) is the real local stack.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import requests
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.support import (
    USER_PASSWORD,
    expect_job_to_end,
    job_row,
    save_screenshot,
    sign_in,
)
from tests.local_stack import LocalStack
from tests.registry_answers import alias_move

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "authorization, content-type",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
}
PHONE = {"width": 390, "height": 844}
DIABETES_COLUMNS = [
    {
        "name": name,
        "dtype": "number",
        "required": True,
        "min": None,
        "max": None,
        "categories": None,
    }
    for name in ("age", "bmi", "bp")
]


def _version(version: str, metric: float, by: str = "ds@example.com") -> dict[str, Any]:
    return {
        "version": version,
        "created_at": "2026-12-01T09:00:00Z",
        "created_by": by,
        "primary_metric": "roc_auc",
        "metrics": {"roc_auc": metric, "accuracy": 0.95},
        "status": "active",
    }


class FakeRegistry:
    """The registry routes of issue 10 as the page calls them, over one in-memory state."""

    def __init__(self, default_model: dict[str, Any]) -> None:
        champion = default_model["version"]
        self.columns = {"breast-cancer": default_model["columns"], "diabetes": DIABETES_COLUMNS}
        self.moves: list[tuple[str, str, dict[str, Any]]] = []  # (model, alias, body) of each PUT
        self.models: dict[str, dict[str, Any]] = {
            "breast-cancer": {
                "name": "breast-cancer",
                "default": True,
                "task": "classification",
                "aliases": {"champion": champion, "challenger": "forest-2"},
                "versions": [
                    _version("logreg-0", 0.971),
                    _version(champion, 0.98532),
                    _version("forest-2", 0.99104),
                ],
                "history": [
                    alias_move("champion", None, "logreg-0", "first version of the model"),
                    alias_move("champion", "logreg-0", champion, "better on the holdout"),
                    alias_move("challenger", None, "forest-2", "try a random forest"),
                ],
            },
            "diabetes": {
                "name": "diabetes",
                "task": "regression",
                "aliases": {"champion": "ridge-1"},
                "versions": [
                    {**_version("ridge-1", 0.45), "primary_metric": "r2", "metrics": {"r2": 0.45}}
                ],
                "history": [alias_move("champion", None, "ridge-1", "first version of the model")],
            },
        }

    def handle(self, route: Route, request: Request) -> None:
        if request.method == "OPTIONS":
            route.fulfill(status=204, headers=CORS)
            return
        parts = [unquote(p) for p in urlparse(request.url).path.strip("/").split("/")]
        if parts == ["models"]:
            items = [
                {
                    "name": m["name"],
                    "task": m["task"],
                    "aliases": m["aliases"],
                    "versions": len(m["versions"]),
                    "default": m.get("default", False),
                }
                for m in self.models.values()
            ]
            self._answer(route, 200, {"items": items})
        elif len(parts) == 2:
            self._answer(route, 200, self.models[parts[1]])
        elif len(parts) == 4 and parts[2] == "versions":
            self._answer(route, 200, self._version(parts[1], parts[3]))
        elif len(parts) == 4 and parts[2] == "aliases" and request.method == "PUT":
            self._move(route, parts[1], parts[3], json.loads(request.post_data or "{}"))
        else:
            self._answer(route, 404, {"error": {"code": "not_found", "message": "no such route"}})

    def _version(self, name: str, version: str) -> dict[str, Any]:
        model = self.models[name]
        found = next(v for v in model["versions"] if v["version"] == version)
        return {**found, "name": name, "task": model["task"], "columns": self.columns[name]}

    def _move(self, route: Route, name: str, alias: str, body: dict[str, Any]) -> None:
        self.moves.append((name, alias, body))
        model = self.models[name]
        before = model["aliases"].get(alias)
        if body.get("expected_version") not in (None, before):  # the conditional write
            self._answer(
                route, 409, {"error": {"code": "alias_conflict", "message": "moved meanwhile"}}
            )
            return
        model["aliases"][alias] = body["version"]
        model["history"].append(alias_move(alias, before, body["version"], body["reason"]))
        self._answer(route, 200, {k: v for k, v in model.items() if k != "default"})

    @staticmethod
    def _answer(route: Route, status: int, body: Any) -> None:
        route.fulfill(
            status=status, headers=CORS, content_type="application/json", body=json.dumps(body)
        )


@pytest.fixture
def default_model(local_stack: LocalStack) -> dict[str, Any]:
    """What the stack's GET /model says: the default model's champion and its schema."""
    answer = requests.get(
        f"{local_stack.api_url}/model",
        headers={"Authorization": f"Bearer {local_stack.access_token()}"},
        timeout=30,
    )
    answer.raise_for_status()
    model: dict[str, Any] = answer.json()
    return model


def _is_registry_call(api_url: str) -> Any:
    return lambda url: url.startswith(api_url) and urlparse(url).path.startswith("/models")


@pytest.fixture
def registry(page: Page, local_stack: LocalStack, default_model: dict[str, Any]) -> FakeRegistry:
    fake = FakeRegistry(default_model)
    page.route(_is_registry_call(local_stack.api_url), fake.handle)
    return fake


@pytest.fixture
def admin(local_stack: LocalStack, user: str) -> str:
    """The test's user, made a member of the Cognito group `admins`."""
    cognito = local_stack.boto3_client("cognito-idp")
    pool_id = local_stack.outputs["UserPoolId"]
    with contextlib.suppress(cognito.exceptions.GroupExistsException):
        cognito.create_group(GroupName="admins", UserPoolId=pool_id)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName="admins")
    return user


def open_page(page: Page, local_stack: LocalStack, email: str) -> None:
    sign_in(page, local_stack.web_url, email, USER_PASSWORD)
    expect(page.get_by_role("heading", name="Jobs")).to_be_visible()


def open_models(page: Page) -> None:
    page.get_by_role("link", name="Models").click()
    expect(page.get_by_role("heading", name="Models", exact=True)).to_be_visible()


def versions_table(page: Page, name: str = "breast-cancer") -> Any:
    return page.get_by_role("table", name=f"Versions of {name}")


def version_row(page: Page, version: str) -> Any:
    return versions_table(page).locator(f'tr[data-version="{version}"]')


def expect_alias(page: Page, version: str, alias: str) -> None:
    """The version's row of the Versions table shows the alias (`champion`, `challenger`)."""
    expect(version_row(page, version).get_by_text(alias, exact=True)).to_be_visible()


@pytest.fixture
def fake_jobs(page: Page, local_stack: LocalStack) -> list[dict[str, Any]]:
    """POST /jobs answered here (the job it would create), and its presigned upload accepted."""
    created: list[dict[str, Any]] = []
    upload_url = f"{local_stack.api_url}/fake-upload-{uuid.uuid4().hex[:6]}"

    def create(route: Route, request: Request) -> None:
        if request.method == "OPTIONS":
            route.fulfill(status=204, headers=CORS)
            return
        if request.method != "POST":
            route.fallback()
            return
        body = json.loads(request.post_data or "{}")
        created.append(body)
        name, _, version = body.get("model", "breast-cancer").partition("@")
        job = {
            "job_id": uuid.uuid4().hex,
            "status": "AWAITING_UPLOAD",
            "filename": body["filename"],
            "source": "web",
            "model_name": name,
            "model_version": version or "the-champion",
            "upload": {"url": upload_url, "fields": {"key": "k"}, "expires_at": "x"},
        }
        route.fulfill(
            status=201, headers=CORS, content_type="application/json", body=json.dumps(job)
        )

    page.route(f"{local_stack.api_url}/jobs", create)
    page.route(upload_url, lambda route: route.fulfill(status=204, headers=CORS))
    return created


# Without the registry


def test_without_a_registry_the_models_view_is_hidden_and_uploads_still_work(
    page: Page, local_stack: LocalStack, user: str, good_csv: Path
):
    # Given an API without the registry: GET /models answers 404
    page.route(
        _is_registry_call(local_stack.api_url),
        lambda route: route.fulfill(
            status=404,
            headers=CORS,
            content_type="application/json",
            body='{"message":"Not found"}',
        ),
    )
    open_page(page, local_stack, user)

    # When the analyst uploads a file
    page.get_by_label("Upload CSV").set_input_files(good_csv)
    with page.expect_request(lambda r: r.url.endswith("/jobs") and r.method == "POST") as created:
        page.get_by_role("button", name=re.compile(r"^Start upload")).click()

    # Then there is no Models view nor picker, the job names no model, and it is scored
    expect(page.get_by_role("link", name="Models")).to_be_hidden()
    expect(page.get_by_label("Model", exact=True)).to_be_hidden()
    assert "model" not in json.loads(created.value.post_data or "{}")
    expect_job_to_end(job_row(page, good_csv.name), "Succeeded")


# The model picker


def test_the_picker_preselects_the_default_models_champion(
    page: Page, local_stack: LocalStack, user: str, registry: FakeRegistry, default_model: dict
):
    # Given the registry (fake) and a signed-in analyst
    open_page(page, local_stack, user)

    # Then the default model's champion is chosen and its schema is the one shown
    picker = page.get_by_label("Model", exact=True)
    expect(picker).to_have_value("breast-cancer")
    expect(picker.locator("option:checked")).to_have_text(
        f"breast-cancer · champion {default_model['version']}"
    )
    expect(page.locator("#model-summary")).to_contain_text(default_model["version"])


def test_choosing_another_model_checks_files_against_its_schema(
    page: Page, local_stack: LocalStack, user: str, registry: FakeRegistry, good_csv: Path
):
    # Given a breast-cancer file staged, ready for the default model
    open_page(page, local_stack, user)
    page.get_by_label("Upload CSV").set_input_files(good_csv)
    staged = page.get_by_role("list", name="Files to upload").get_by_role("listitem")
    expect(staged.get_by_text("Ready to upload")).to_be_visible()

    # When the analyst chooses the diabetes model
    page.get_by_label("Model", exact=True).select_option("diabetes")

    # Then the file is checked again against the diabetes columns, and cannot be sent
    expect(staged.get_by_text("3 required columns are missing: age, bmi, bp.")).to_be_visible()
    expect(staged.get_by_text("Cannot be uploaded")).to_be_visible()
    expect(page.locator("#model-summary")).to_contain_text("Model diabetes ridge-1 · regression")
    expect(page.get_by_role("button", name=re.compile(r"^Start upload"))).to_be_disabled()
    save_screenshot(page, "model-picker")


def test_an_upload_sends_the_chosen_model_and_the_job_shows_it(
    page: Page,
    local_stack: LocalStack,
    user: str,
    registry: FakeRegistry,
    fake_jobs: list[dict[str, Any]],
    good_csv: Path,
):
    # Given the analyst chose the challenger
    open_page(page, local_stack, user)
    page.get_by_label("Model", exact=True).select_option("breast-cancer@forest-2")

    # When they upload a file
    page.get_by_label("Upload CSV").set_input_files(good_csv)
    page.get_by_role("button", name=re.compile(r"^Start upload")).click()

    # Then POST /jobs named that version, and the job's row shows it
    expect(job_row(page, good_csv.name)).to_contain_text("forest-2")
    assert fake_jobs == [{"filename": good_csv.name, "model": "breast-cancer@forest-2"}]


# The Models view


def test_models_view_shows_versions_metrics_aliases_and_history(
    page: Page, local_stack: LocalStack, user: str, registry: FakeRegistry, default_model: dict
):
    # Given a signed-in analyst (not an admin)
    open_page(page, local_stack, user)

    # When they open the Models view
    open_models(page)

    # Then each version shows its metrics and aliases, the history is listed newest first,
    # the jobs panels are out of the way, and there is nothing to promote
    expect_alias(page, default_model["version"], "champion")
    expect(
        version_row(page, default_model["version"]).get_by_text("roc_auc 0.9853")
    ).to_be_visible()
    expect_alias(page, "forest-2", "challenger")
    history = page.get_by_role("table", name="Alias history").get_by_role("row")
    expect(history.nth(1)).to_contain_text("try a random forest")
    expect(history.nth(3)).to_contain_text("first version of the model")
    expect(page.get_by_role("table", name="Jobs")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("^Make"))).to_have_count(0)
    expect(page.get_by_text("Only admins can promote or roll back versions.")).to_be_visible()
    save_screenshot(page, "models-view", full_page=True)


def test_another_model_is_shown_when_chosen_and_jobs_come_back(
    page: Page, local_stack: LocalStack, user: str, registry: FakeRegistry
):
    # Given the Models view
    open_page(page, local_stack, user)
    open_models(page)

    # When the analyst picks the diabetes model, then goes back to the jobs
    page.get_by_role("button", name=re.compile("^diabetes")).click()
    expect(versions_table(page, "diabetes").get_by_text("r2 0.45")).to_be_visible()
    page.get_by_role("link", name="Jobs").click()

    # Then the upload and jobs panels are back
    expect(page.get_by_role("table", name="Jobs")).to_be_visible()
    expect(page.get_by_role("heading", name="Models", exact=True)).to_be_hidden()


def test_an_admin_promotes_the_challenger_with_a_reason(
    page: Page, local_stack: LocalStack, admin: str, registry: FakeRegistry, default_model: dict
):
    # Given an admin on the Models view
    open_page(page, local_stack, admin)
    open_models(page)

    # When they make the challenger champion, first without a reason, then with one
    page.get_by_role("button", name="Make forest-2 champion").click()
    dialog = page.get_by_role("dialog", name="Make forest-2 the champion of breast-cancer?")
    dialog.get_by_role("button", name="Make champion").click()
    expect(dialog.get_by_text("Give a reason")).to_be_visible()
    dialog.get_by_label("Reason").fill("the forest wins on the holdout")
    dialog.get_by_role("button", name="Make champion").click()

    # Then the move was sent with its reason, and the page shows the new champion and history
    expect_alias(page, "forest-2", "champion")
    save_screenshot(page, "models-view-admin", full_page=True)
    assert registry.moves == [
        (
            "breast-cancer",
            "champion",
            {
                "version": "forest-2",
                "reason": "the forest wins on the holdout",
                "expected_version": default_model["version"],
            },
        )
    ]
    history = page.get_by_role("table", name="Alias history").get_by_role("row")
    expect(history.nth(1)).to_contain_text("the forest wins on the holdout")
    expect(page.get_by_text("forest-2 is now the champion of breast-cancer.")).to_be_visible()


def test_an_admin_rolls_the_champion_back_to_the_version_it_replaced(
    page: Page, local_stack: LocalStack, admin: str, registry: FakeRegistry, default_model: dict
):
    # Given an admin on the Models view; the champion replaced logreg-0
    open_page(page, local_stack, admin)
    open_models(page)

    # When they roll back, with a reason
    page.get_by_role("button", name="Roll back champion to logreg-0").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"from {default_model['version']} to logreg-0")
    dialog.get_by_label("Reason").fill("drift in production")
    dialog.get_by_role("button", name="Roll back to logreg-0").click()

    # Then logreg-0 is champion again
    expect_alias(page, "logreg-0", "champion")
    assert registry.moves == [
        (
            "breast-cancer",
            "champion",
            {
                "version": "logreg-0",
                "reason": "drift in production",
                "expected_version": default_model["version"],
            },
        )
    ]


def test_a_cancelled_promotion_moves_nothing(
    page: Page, local_stack: LocalStack, admin: str, registry: FakeRegistry, default_model: dict
):
    # Given an admin who opened the promotion dialog and typed a reason
    open_page(page, local_stack, admin)
    open_models(page)
    page.get_by_role("button", name="Make forest-2 champion").click()
    page.get_by_role("dialog").get_by_label("Reason").fill("maybe")

    # When they cancel
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()

    # Then nothing was sent and the champion stays
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert registry.moves == []
    expect_alias(page, default_model["version"], "champion")


def test_a_promotion_that_lost_a_race_says_so_and_shows_the_latest(
    page: Page, local_stack: LocalStack, admin: str, registry: FakeRegistry, default_model: dict
):
    # Given an admin who sees the champion, and another admin's rollback lands meanwhile
    open_page(page, local_stack, admin)
    open_models(page)
    expect_alias(page, default_model["version"], "champion")
    registry.models["breast-cancer"]["aliases"]["champion"] = "logreg-0"

    # When this admin promotes the challenger
    page.get_by_role("button", name="Make forest-2 champion").click()
    page.get_by_role("dialog").get_by_label("Reason").fill("better")
    page.get_by_role("dialog").get_by_role("button", name="Make champion").click()

    # Then the page says the aliases changed meanwhile and shows the champion that won
    expect(page.get_by_role("alert").filter(has_text="changed meanwhile")).to_be_visible()
    expect_alias(page, "logreg-0", "champion")
    expect_alias(page, "forest-2", "challenger")


def test_the_models_view_fits_a_phone(
    page: Page, local_stack: LocalStack, admin: str, registry: FakeRegistry
):
    # Given an admin on a phone-sized window
    page.set_viewport_size(PHONE)
    open_page(page, local_stack, admin)

    # When they open the Models view
    open_models(page)
    promote = page.get_by_role("button", name="Make forest-2 champion")
    expect(promote).to_be_visible()

    # Then the page fits the width, the version's actions included
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    box = promote.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    save_screenshot(page, "models-view-phone", full_page=True)


def test_every_models_control_has_an_accessible_name(
    page: Page, local_stack: LocalStack, admin: str, registry: FakeRegistry
):
    # Given an admin on the Models view with the promotion dialog open
    open_page(page, local_stack, admin)
    open_models(page)
    page.get_by_role("button", name="Make forest-2 champion").click()

    # When the visible controls are listed
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll("button, input, select, textarea, a[href]")]
            .filter((el) => el.checkVisibility())
            .filter((el) => !(el.labels?.length || el.getAttribute("aria-label")
                || el.getAttribute("aria-labelledby") || el.textContent.trim()))
            .map((el) => el.outerHTML)"""
    )

    # Then each one has a name
    assert unnamed == []
