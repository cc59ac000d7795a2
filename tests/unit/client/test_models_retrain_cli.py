"""`batchscore models retrain NAME [--wait]` against a fake HTTP layer (responses)."""

from __future__ import annotations

import time

import pytest

from batchscore_client.cli import main
from batchscore_client.credentials import Credentials, CredentialStore
from tests.unit.client.client_support import API

NAME = "breast-cancer"
RUN_ID = "20261201T133000Z-1a2b3c4d"


@pytest.fixture
def logged_in(isolated_config):
    CredentialStore(isolated_config / "credentials.json").save(
        Credentials(kind="user", token="t", expires_at=time.time() + 3600, api_url=API)
    )


def run(status: str, *, passed: bool = True, error: dict[str, object] | None = None) -> dict:
    return {
        "run_id": RUN_ID,
        "model": NAME,
        "trigger": "api",
        "status": status,
        "started_at": "2026-12-01T13:30:00Z",
        "ended_at": None if status == "RUNNING" else "2026-12-01T13:30:05Z",
        "rows": {"train": 421, "holdout": 148},
        "candidate_version": f"{NAME}-logistic-{RUN_ID}",
        "champion_version": "v1",
        "metrics": {"candidate": {"roc_auc": 0.99}, "champion": {"roc_auc": 0.98}},
        "gate": {
            "passed": passed,
            "checks": [
                {"name": "floor", "passed": passed, "detail": "roc_auc 0.5 >= 0.95"},
                {"name": "steps", "passed": True, "detail": "every step succeeded"},
            ],
        },
        "error": error,
    }


def test_retrain_starts_a_run_and_prints_its_id(http, logged_in, capsys):
    # Given
    http.post(
        f"{API}/models/{NAME}/retrain", status=202, json={"run_id": RUN_ID, "status": "RUNNING"}
    )

    # When
    code = main(["models", "retrain", NAME])

    # Then
    assert code == 0
    assert capsys.readouterr().out.strip() == f"{NAME}: run {RUN_ID} started"


def test_retrain_wait_polls_until_promoted_and_shows_the_checks(http, logged_in, capsys):
    # Given
    http.post(
        f"{API}/models/{NAME}/retrain", status=202, json={"run_id": RUN_ID, "status": "RUNNING"}
    )
    http.get(f"{API}/models/{NAME}/runs/{RUN_ID}", json=run("RUNNING"))
    http.get(f"{API}/models/{NAME}/runs/{RUN_ID}", json=run("PROMOTED"))

    # When
    code = main(["models", "retrain", NAME, "--wait", "--poll", "0"])

    # Then
    out = capsys.readouterr().out
    assert code == 0
    assert f"run {RUN_ID} of {NAME}: PROMOTED" in out
    assert "ok   floor: roc_auc 0.5 >= 0.95" in out


def test_a_kept_champion_exits_5_naming_the_failed_check(http, logged_in, capsys):
    # Given
    http.post(
        f"{API}/models/{NAME}/retrain", status=202, json={"run_id": RUN_ID, "status": "RUNNING"}
    )
    http.get(f"{API}/models/{NAME}/runs/{RUN_ID}", json=run("KEPT_CHAMPION", passed=False))

    # When
    code = main(["models", "retrain", NAME, "--wait", "--poll", "0"])

    # Then
    err = capsys.readouterr().err
    assert code == 5
    assert "KEPT_CHAMPION: floor: roc_auc 0.5 >= 0.95" in err


def test_a_run_already_holding_the_model_is_a_conflict(http, logged_in, capsys):
    # Given
    http.post(
        f"{API}/models/{NAME}/retrain",
        status=409,
        json={"error": {"code": "run_in_progress", "message": "busy", "details": []}},
    )

    # When
    code = main(["models", "retrain", NAME, "--wait"])

    # Then
    assert code != 0
    assert "run_in_progress" in capsys.readouterr().err
