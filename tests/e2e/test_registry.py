"""The model registry through the local runtime: publish, promote, jobs per model, rollback."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.e2e_support import (
    ApiUser,
    feature_csv,
    read_sheets,
    signed_in,
    upload_presigned,
    wait_until_final,
)
from tests.e2e.registry_support import (
    archive_of,
    diabetes_csv,
    fresh_model_name,
    move_alias,
    poll_final,
    publish,
    relabelled_bundle,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def viewer(local_stack) -> ApiUser:
    """The second local user: signed in, not an admin."""
    summary_user = "viewer@example.com"
    return signed_in(local_stack, summary_user, "Local-Viewer-Pass-1")


@pytest.fixture(scope="module")
def own_model(local_stack, admin, tmp_path_factory) -> tuple[str, str, str]:
    """A model of this module with two published versions (the first is champion)."""
    name = fresh_model_name()
    base = tmp_path_factory.mktemp("bundles")
    versions = []
    for label in ("v1", "v2"):
        version = f"{name}-{label}"
        upload = publish(
            admin, local_stack, name, archive_of(relabelled_bundle(base / label, version))
        )
        assert upload["status"] == "PUBLISHED", upload
        versions.append(version)
    return name, versions[0], versions[1]


def submit(user: ApiUser, filename: str, model: str | None) -> dict[str, Any]:
    """POST /jobs naming `model` (none: the default model); the file is not yet uploaded."""
    return user.create_job(filename, **({} if model is None else {"model": model}))


def run(
    user: ApiUser, stack: Any, content: bytes, filename: str, model: str | None
) -> dict[str, Any]:
    created = submit(user, filename, model)
    upload_presigned(created["upload"], content, filename)
    return wait_until_final(user, created["job_id"], stack)


def test_make_run_seeds_two_models_the_default_with_champion_and_challenger(admin) -> None:
    # When the models are listed
    items = {item["name"]: item for item in admin.get_json("/models")["items"]}

    # Then the classifier (default) has both aliases and the regressor its champion
    assert {"breast-cancer", "diabetes"} <= set(items)
    assert set(items["breast-cancer"]["aliases"]) == {"champion", "challenger"}
    assert items["breast-cancer"]["default"] is True
    assert (items["diabetes"]["task"], set(items["diabetes"]["aliases"])) == (
        "regression",
        {"champion"},
    )


def test_a_job_per_model_has_that_models_outputs(local_stack, admin) -> None:
    # When one job goes to the default model and one to the regressor
    classified = run(admin, local_stack, feature_csv(5), "tumours.csv", None)
    regressed = run(admin, local_stack, diabetes_csv(6), "patients.csv", "diabetes")

    # Then each records its model and version, and the workbooks have that model's columns
    champion = admin.get_json("/models/breast-cancer")["aliases"]["champion"]
    assert (classified["status"], classified["model_name"]) == ("SUCCEEDED", "breast-cancer")
    assert classified["model_version"] == champion
    assert (regressed["status"], regressed["model_name"], regressed["rows_done"]) == (
        "SUCCEEDED",
        "diabetes",
        6,
    )
    header = read_sheets(admin.result(regressed["job_id"]))
    first_sheet = next(iter(header.values()))
    assert list(first_sheet[0])[-1] == "prediction"
    assert not any(str(name).startswith("probability_") for name in first_sheet[0])
    tumours = next(iter(read_sheets(admin.result(classified["job_id"])).values()))
    assert {"probability_benign", "probability_malignant"} <= set(tumours[0])


def test_predict_takes_a_model_too(admin) -> None:
    # When rows are posted to the regressor's champion
    answer = admin.request(
        "POST",
        "/predict",
        json={
            "model": "diabetes",
            "rows": [
                dict(
                    zip(
                        ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
                        [50, 1, 25, 90, 180, 100, 50, 4, 4.5, 90],
                        strict=True,
                    )
                )
            ],
        },
    )

    # Then the answer names the model and has a prediction only
    assert answer.status_code == 200, answer.text
    assert answer.json()["model_name"] == "diabetes"
    assert list(answer.json()["predictions"][0]) == ["prediction"]


def test_an_unknown_model_is_a_404_listing_the_models(admin) -> None:
    # When a job asks for a model that does not exist
    answer = admin.request("POST", "/jobs", json={"filename": "x.csv", "model": "no-such-model"})

    # Then the 404 lists the names that exist
    assert answer.status_code == 404
    names = [detail["message"] for detail in answer.json()["error"]["details"]]
    assert {"breast-cancer", "diabetes"} <= set(names)


def test_publish_promote_and_rollback_and_submitted_jobs_keep_their_version(
    local_stack, admin, own_model
) -> None:
    name, first, second = own_model
    # Given a job submitted (not yet uploaded) while the first version is champion
    early = submit(admin, "early.csv", name)

    # When an admin promotes the second version, and a second job is submitted
    promoted = move_alias(admin, name, "champion", second, "second is better")
    late = run(admin, local_stack, feature_csv(3), "late.csv", name)
    upload_presigned(early["upload"], feature_csv(3), "early.csv")
    early_done = wait_until_final(admin, early["job_id"], local_stack)

    # Then each job scored with the version that was champion when it was submitted
    assert promoted.status_code == 200, promoted.text
    assert (late["status"], late["model_version"]) == ("SUCCEEDED", second)
    assert (early_done["status"], early_done["model_version"]) == ("SUCCEEDED", first)

    # When the champion is rolled back to the version it replaced (from the history)
    history = admin.get_json(f"/models/{name}")["history"]
    replaced = [move for move in history if move["alias"] == "champion"][-1]["from_version"]
    rolled = move_alias(admin, name, "champion", replaced, "rollback")

    # Then the first version is champion again and the history kept every move
    assert rolled.status_code == 200
    body = rolled.json()
    assert body["aliases"]["champion"] == first
    assert [(m["from_version"], m["to_version"]) for m in body["history"]] == [
        (None, first),
        (first, second),
        (second, first),
    ]


RACE_ROUNDS = 12
# How the two moves of a round meet: at once (a barrier) or one after the other, as they do
# when the runtime has one warm worker and starts a second cold (Lambda does the same); and
# which of them goes first.
RACE_SHAPES = (
    ("at once", False),
    ("at once", True),
    ("in turn", True),
    ("in turn", False),
)


def race_once(
    local_stack: Any, admin: ApiUser, name: str, versions: tuple[str, str], shape: tuple[str, bool]
) -> list[int]:
    """Two admins who saw the same champion move it: one elsewhere, one where it already is."""
    meet, noop_first = shape
    seen = admin.get_json(f"/models/{name}")["aliases"]["champion"]
    target = versions[1] if seen == versions[0] else versions[0]
    token = admin.session.headers["Authorization"]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def promote(version: str) -> None:
        if meet == "at once":
            start.wait()
        answer = requests.put(
            f"{local_stack.api_url}/models/{name}/aliases/champion",
            json={"version": version, "reason": "race", "expected_version": seen},
            headers={"Authorization": token},
            timeout=30,
        )
        statuses.append(answer.status_code)

    order = (seen, target) if noop_first else (target, seen)
    if meet == "in turn":
        for version in order:
            promote(version)
        return sorted(statuses)
    threads = [threading.Thread(target=promote, args=(v,)) for v in order]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_two_concurrent_promotions_give_one_200_and_one_409(local_stack, admin, own_model) -> None:
    # Given a model whose champion two admins both saw, round after round
    name, first, second = own_model
    moves_before = len(admin.get_json(f"/models/{name}")["history"])

    # When both move it, one to the other version and one where it already is, at once or in
    # turn, either first
    outcomes = [
        race_once(local_stack, admin, name, (first, second), RACE_SHAPES[n % len(RACE_SHAPES)])
        for n in range(RACE_ROUNDS)
    ]

    # Then every round one move landed and the other was told to read again: one line of
    # history a round
    assert outcomes == [[200, 409]] * RACE_ROUNDS
    history = admin.get_json(f"/models/{name}")["history"]
    assert len(history) == moves_before + RACE_ROUNDS


def test_a_non_admin_can_read_but_not_promote_or_publish(viewer, own_model) -> None:
    name, _, second = own_model
    # When the non-admin user reads, promotes and publishes
    read = viewer.request("GET", f"/models/{name}")
    promote = move_alias(viewer, name, "champion", second, "mine")
    start = viewer.request("POST", f"/models/{name}/versions", json={})

    # Then reading is allowed and changing is a 403
    assert read.status_code == 200
    assert (promote.status_code, start.status_code) == (403, 403)


def test_a_tampered_bundle_is_refused_with_the_reason(local_stack, admin, tmp_path: Path) -> None:
    # Given a bundle whose model file changed after its checksums were written
    name = fresh_model_name()
    directory = relabelled_bundle(tmp_path / "bundle", f"{name}-v1")
    (directory / "model.skops").write_bytes((directory / "model.skops").read_bytes() + b"\0")

    # When it is published
    upload = publish(admin, local_stack, name, archive_of(directory))

    # Then it is refused, saying why, and no model was created
    assert (upload["status"], upload["error"]["code"]) == ("REFUSED", "checksum_mismatch")
    assert "model.skops" in upload["error"]["message"]
    assert admin.request("GET", f"/models/{name}").status_code == 404


@pytest.mark.slow
@pytest.mark.timeout(1500)  # generating, publishing and loading 300 MB takes minutes here
def test_a_300_mb_bundle_is_published_and_scores_a_job(local_stack, admin, tmp_path: Path) -> None:
    from tests.e2e.large_bundle import large_forest_bundle

    # Given a generated forest of about 300 MB
    name = fresh_model_name()
    version = f"{name}-large"
    directory = large_forest_bundle(tmp_path / "large", version, target_mb=300)
    size_mb = (directory / "model.skops").stat().st_size / 1e6
    assert size_mb > 250

    # When it is published and a job names it
    upload = publish(admin, local_stack, name, archive_of(directory, compress=False), timeout=900)
    assert upload["status"] == "PUBLISHED", upload
    created = submit(admin, "big-model.csv", f"{name}@{version}")
    upload_presigned(created["upload"], feature_csv(50), "big-model.csv")
    job = poll_final(admin, created["job_id"], local_stack, timeout=900)

    # Then every row was scored by that version
    assert (job["status"], job["rows_done"], job["model_version"]) == ("SUCCEEDED", 50, version)
