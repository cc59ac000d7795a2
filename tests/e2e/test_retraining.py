"""Retraining end to end through the local runtime: labelled data uploaded over the API, runs
started by an admin, trained by TrainFunction, gated, and seen by new jobs; a rollback after.

A runtime of this module's own: its runs move the default model's champion, which the shared
stack's other tests rely on. Its functions' AWS calls are checked against template.yaml at
the end, as the shared stack's are.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from infra.build.least_privilege import check as check_least_privilege
from infra.build.retrain import main as retrain_main
from tests.drift_files import shifted_csv
from tests.e2e.e2e_support import (
    ApiUser,
    feature_csv,
    poll,
    signed_in,
    upload_presigned,
    wait_until_final,
)
from tests.local_stack import REPO_ROOT, LocalStack, started_stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MODEL = "breast-cancer"
RUN_TIMEOUT_SECONDS = 180
DRIFT_K = 2


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # Retraining on sustained drift is on here: two drifted jobs in a row start a run.
    parameters = {"DriftRetrainKOfN": f"{DRIFT_K}/{DRIFT_K}"}
    with started_stack(tmp_path_factory.mktemp("retrain-stack"), parameters=parameters) as running:
        yield running
    denied = check_least_privilege(running.aws_calls_dir, REPO_ROOT / "template.yaml")
    assert not denied, "AWS calls template.yaml does not allow:\n" + "\n".join(map(str, denied))


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> ApiUser:
    return signed_in(stack)  # the demo user is an admin


def labelled_csv(*, shuffled: bool = False) -> bytes:
    raw = load_breast_cancer(as_frame=True)
    frame = raw.data.copy()
    names = np.asarray(raw.target_names, dtype=object)
    labels = names[raw.target.to_numpy()]
    if shuffled:
        labels = np.random.default_rng(11).permutation(labels)
    frame["diagnosis"] = labels
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def add_training_file(admin: ApiUser, stack: LocalStack, content: bytes) -> dict[str, Any]:
    created = admin.request(
        "POST", f"/models/{MODEL}/training-data", json={"filename": "labelled.csv"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "AWAITING_UPLOAD"
    upload_presigned(body["upload"], content, "labelled.csv")

    def listed() -> dict[str, Any]:
        items = admin.get_json(f"/models/{MODEL}/training-data")["items"]
        return next(item for item in items if item["file_id"] == body["file_id"])

    record: dict[str, Any] = poll(
        listed,
        lambda item: item["status"] != "AWAITING_UPLOAD",
        what="training file check",
        stack=stack,
    )
    return record


def wait_for_run(admin: ApiUser, stack: LocalStack, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = poll(
        lambda: admin.get_json(f"/models/{MODEL}/runs/{run_id}"),
        lambda run: run["status"] != "RUNNING",
        what=f"run {run_id}",
        stack=stack,
        timeout=RUN_TIMEOUT_SECONDS,
    )
    return run


def retrain(admin: ApiUser, stack: LocalStack, files: list[str]) -> dict[str, Any]:
    started = admin.request("POST", f"/models/{MODEL}/retrain", json={"files": files})
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "RUNNING"
    return wait_for_run(admin, stack, started.json()["run_id"])


def scored_version(admin: ApiUser, stack: LocalStack) -> str:
    job_id = admin.submit(feature_csv(5), "after-retrain.csv")
    job = wait_until_final(admin, job_id, stack)
    assert job["status"] == "SUCCEEDED", job
    return str(job["model_version"])


def test_good_data_promotes_and_a_rollback_brings_the_earlier_version_back(
    admin: ApiUser, stack: LocalStack
) -> None:
    # Given labelled data, accepted
    good = add_training_file(admin, stack, labelled_csv())
    assert good["status"] == "ACCEPTED", good
    before = admin.get_json(f"/models/{MODEL}")["aliases"]["champion"]

    # When an admin retrains on it
    started = time.monotonic()
    run = retrain(admin, stack, [good["file_id"]])
    took = time.monotonic() - started

    # Then the candidate passed the gate and is the champion new jobs get
    assert run["status"] == "PROMOTED", run
    assert run["champion_version"] == before
    assert all(check["passed"] for check in run["gate"]["checks"])
    model = admin.get_json(f"/models/{MODEL}")
    assert model["aliases"]["champion"] == run["candidate_version"]
    assert model["history"][-1]["reason"].startswith("retrained: roc_auc")
    assert model["training"]["label"] == "diagnosis"
    assert scored_version(admin, stack) == run["candidate_version"]
    print(f"\nbreast-cancer run over the local runtime: {took:.1f} s, {run['metrics']}")

    # When the promotion is rolled back
    rolled = admin.request(
        "PUT",
        f"/models/{MODEL}/aliases/champion",
        json={"version": before, "reason": "rollback after retraining"},
    )

    # Then new jobs get the earlier version again
    assert rolled.status_code == 200, rolled.text
    assert scored_version(admin, stack) == before


def test_shuffled_labels_keep_the_champion_and_name_the_failing_check(
    admin: ApiUser, stack: LocalStack
) -> None:
    shuffled = add_training_file(admin, stack, labelled_csv(shuffled=True))
    assert shuffled["status"] == "ACCEPTED", shuffled
    champion = admin.get_json(f"/models/{MODEL}")["aliases"]["champion"]

    run = retrain(admin, stack, [shuffled["file_id"]])

    assert run["status"] == "KEPT_CHAMPION", run
    failing = [check for check in run["gate"]["checks"] if not check["passed"]]
    assert [check["name"] for check in failing][:1] == ["floor"]
    assert "below the floor" in failing[0]["detail"]
    model = admin.get_json(f"/models/{MODEL}")
    assert model["aliases"]["champion"] == champion
    rejected = [v for v in model["versions"] if v["version"] == run["candidate_version"]]
    assert [v["status"] for v in rejected] == ["rejected"]


def test_a_file_without_the_label_is_rejected_with_the_column_named(
    admin: ApiUser, stack: LocalStack
) -> None:
    record = add_training_file(admin, stack, feature_csv(60))

    assert record["status"] == "REJECTED"
    assert record["error"]["code"] == "missing_columns"
    assert record["error"]["details"][0]["column"] == "diagnosis"


def _timed_read(admin: ApiUser) -> float:
    started = time.monotonic()
    admin.get_json(f"/models/{MODEL}/runs")
    return time.monotonic() - started


def test_two_triggers_at_once_start_one_run(admin: ApiUser, stack: LocalStack) -> None:
    good = add_training_file(admin, stack, labelled_csv())
    before = {run["run_id"] for run in admin.get_json(f"/models/{MODEL}/runs")["items"]}

    def trigger() -> Any:
        return admin.request("POST", f"/models/{MODEL}/retrain", json={"files": [good["file_id"]]})

    with ThreadPoolExecutor(max_workers=2) as pool:
        # Two warm RegistryFunction workers first (a cold start would serialize the triggers)
        warm = poll(
            lambda: list(pool.map(lambda _: _timed_read(admin), range(2))),
            lambda seconds: max(seconds) < 1.0,
            what="two warm registry workers",
            stack=stack,
        )
        assert len(warm) == 2
        answers = list(pool.map(lambda _: trigger(), range(2)))

    assert sorted(answer.status_code for answer in answers) == [202, 409]
    refused = next(answer for answer in answers if answer.status_code == 409).json()
    assert refused["error"]["code"] == "run_in_progress"
    runs = admin.get_json(f"/models/{MODEL}/runs")["items"]
    new = [run for run in runs if run["run_id"] not in before]
    assert len(new) == 1
    wait_for_run(admin, stack, new[0]["run_id"])


def test_make_retrain_starts_a_run_and_reports_why_it_failed(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given diabetes has no training data yet
    # When `make retrain MODEL=diabetes` runs against this stack
    code = retrain_main(["--model", "diabetes", "--local-dir", str(stack.state_dir)])

    # Then it waited for the run and says why it ended FAILED
    out = capsys.readouterr().out
    assert code == 1
    assert "diabetes: FAILED (candidate None, champion was diabetes-ridge-" in out
    assert "error: no_training_data" in out


def test_sustained_drift_starts_one_run_with_the_drift_trigger(
    admin: ApiUser, stack: LocalStack
) -> None:
    # Given retraining on drift is on (2 of the last 2 jobs), and a run began before now
    add_training_file(admin, stack, labelled_csv())
    before = {run["run_id"] for run in admin.get_json(f"/models/{MODEL}/runs")["items"]}

    # When one drifted job is scored, no run starts; when a second one is, one run starts
    first = admin.submit(shifted_csv(seed=41), "shifted-1.csv")
    assert wait_until_final(admin, first, stack)["drift"]["status"] == "drift"
    second = admin.submit(shifted_csv(seed=42), "shifted-2.csv")
    assert wait_until_final(admin, second, stack)["drift"]["status"] == "drift"

    def new_runs() -> list[dict[str, Any]]:
        runs = admin.get_json(f"/models/{MODEL}/runs")["items"]
        return [run for run in runs if run["run_id"] not in before]

    started = poll(new_runs, bool, what="a run started by drift", stack=stack)

    # Then it is one run, triggered by drift, and it ends
    assert [run["trigger"] for run in started] == ["drift"]
    ended = wait_for_run(admin, stack, started[0]["run_id"])
    assert ended["status"] in {"PROMOTED", "KEPT_CHAMPION"}, ended
    assert len(new_runs()) == 1
