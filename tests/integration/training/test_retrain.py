"""Retraining under moto: training files checked, runs started through the API, trained by
TrainFunction's handler, gated, and published or kept, with every run recorded."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import train_data_handler
import train_handler
import train_run

from batchscore_core import adapters
from batchscore_core.training_runs import RunInProgress
from batchscore_core.training_trigger import start_run, training_runs
from infra.local.seed_models import Registry
from tests.integration.moto_stack import Queue, Stack
from tests.integration.registry.registry_calls import LOGREG, call
from training.train import load_dataset

MODEL = "breast-cancer"


def labelled_csv(
    *, shuffled: bool = False, rows: int | None = None, label: str = "diagnosis"
) -> bytes:
    dataset = load_dataset()
    frame = dataset.features.assign(**{label: dataset.labels})
    if shuffled:
        frame[label] = np.random.default_rng(7).permutation(frame[label].to_numpy())
    if rows is not None:
        frame = frame.head(rows)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def upload_training_file(stack: Stack, data_queue: Queue, body: bytes) -> dict:
    # Given a training file created through the API and POSTed to its key
    created = call("POST", f"/models/{MODEL}/training-data", admin=True, body={"filename": "t.csv"})
    assert created.status == 201
    file_id = created.body["file_id"]
    stack.put_object(created.body["upload"]["fields"]["key"], body)
    # When S3's notification reaches TrainFunction
    stack.drain(data_queue, train_data_handler.lambda_handler)
    listed = call("GET", f"/models/{MODEL}/training-data").body["items"]
    return next(item for item in listed if item["file_id"] == file_id)


def retrain(stack: Stack, queue: Queue) -> dict:
    started = call("POST", f"/models/{MODEL}/retrain", admin=True)
    assert started.status == 202, started.body
    assert started.body["status"] == "RUNNING"
    stack.drain(queue, train_handler.lambda_handler)
    answer = call("GET", f"/models/{MODEL}/runs/{started.body['run_id']}")
    assert answer.status == 200
    return dict(answer.body)


def test_a_labelled_file_is_accepted(stack: Stack, training_data_queue: Queue) -> None:
    record = upload_training_file(stack, training_data_queue, labelled_csv())

    assert record["status"] == "ACCEPTED"
    assert record["rows"] == 569


def test_a_file_without_the_label_is_rejected_with_the_column(
    stack: Stack, training_data_queue: Queue
) -> None:
    record = upload_training_file(stack, training_data_queue, labelled_csv(label="outcome"))

    assert record["status"] == "REJECTED"
    assert record["error"]["code"] == "missing_columns"
    assert {"line": 1, "column": "diagnosis"}.items() <= record["error"]["details"][0].items()


def test_a_file_with_a_wrong_type_names_its_line_and_column(
    stack: Stack, training_data_queue: Queue
) -> None:
    text = labelled_csv().decode().splitlines()
    cells = text[3].split(",")
    cells[0] = "twelve"
    text[3] = ",".join(cells)
    record = upload_training_file(stack, training_data_queue, "\n".join(text).encode())

    assert record["status"] == "REJECTED"
    assert record["error"]["details"][0]["line"] == 4
    assert record["error"]["details"][0]["column"] == "mean radius"


def test_good_labelled_data_promotes_the_candidate(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    upload_training_file(stack, training_data_queue, labelled_csv())

    run = retrain(stack, training_queue)

    assert run["status"] == "PROMOTED", run
    assert run["champion_version"] == LOGREG
    assert run["gate"]["passed"] is True
    assert [check["name"] for check in run["gate"]["checks"]] == [
        "floor",
        "champion",
        "schema",
        "steps",
    ]
    assert run["rows"]["train"] + run["rows"]["holdout"] == 569
    assert run["metrics"]["candidate"]["roc_auc"] >= 0.95
    assert "roc_auc" in run["metrics"]["champion"]
    model = call("GET", f"/models/{MODEL}").body
    assert model["aliases"]["champion"] == run["candidate_version"]
    assert model["history"][-1]["reason"].startswith("retrained: roc_auc ")
    assert model["training"]["label"] == "diagnosis"


def test_shuffled_labels_keep_the_champion_and_name_the_floor(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    upload_training_file(stack, training_data_queue, labelled_csv(shuffled=True))

    run = retrain(stack, training_queue)

    assert run["status"] == "KEPT_CHAMPION", run
    failed = [check["name"] for check in run["gate"]["checks"] if not check["passed"]]
    assert "floor" in failed
    registry = adapters.model_registry()
    assert registry.get_model(MODEL).champion == LOGREG
    assert registry.get_version(MODEL, run["candidate_version"]).status.value == "rejected"


def test_too_few_rows_fail_the_run_and_leave_the_champion(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    upload_training_file(stack, training_data_queue, labelled_csv(rows=20))

    run = retrain(stack, training_queue)

    assert run["status"] == "FAILED"
    assert run["error"]["code"] == "too_few_rows"
    assert adapters.model_registry().get_model(MODEL).champion == LOGREG


def test_a_single_class_fails_the_run(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    frame = pd.read_csv(io.BytesIO(labelled_csv()))
    benign = frame[frame["diagnosis"] == "benign"].to_csv(index=False).encode()
    upload_training_file(stack, training_data_queue, benign)

    run = retrain(stack, training_queue)

    assert run["status"] == "FAILED"
    assert run["error"]["code"] == "single_class"


def test_no_accepted_file_fails_the_run_with_the_rejections(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    upload_training_file(stack, training_data_queue, labelled_csv(label="outcome"))

    run = retrain(stack, training_queue)

    assert run["status"] == "FAILED"
    assert run["error"]["code"] == "no_training_data"
    assert "diagnosis" in run["error"]["message"]


def test_a_second_trigger_while_a_run_holds_the_model_is_refused(stack: Stack) -> None:
    # Given a run started (not yet trained)
    first = start_run(MODEL, "api", "tester")

    # When another trigger asks, through the API and directly
    answer = call("POST", f"/models/{MODEL}/retrain", admin=True)
    with pytest.raises(RunInProgress) as refused:
        start_run(MODEL, "drift", "tester")

    # Then both are told which run holds the model, and only one run exists
    assert answer.status == 409
    assert answer.body["error"]["code"] == "run_in_progress"
    assert refused.value.run_id == first
    assert [run.run_id for run in training_runs().recent(MODEL)] == [first]


def test_a_crashed_run_ends_failed_when_its_lease_runs_out(stack: Stack) -> None:
    # Given a run whose lease ran out (its function crashed or timed out)
    crashed = training_runs().start(MODEL, "api", "tester", lease_seconds=-1)

    # When it is read, and when the next trigger comes
    seen = call("GET", f"/models/{MODEL}/runs/{crashed.run_id}").body
    again = start_run(MODEL, "api", "tester")

    # Then it is FAILED with why, and the next run starts
    assert seen["status"] == "FAILED"
    assert seen["error"]["code"] == "run_timed_out"
    assert again != crashed.run_id


def test_a_duplicate_delivery_while_the_run_trains_is_dropped(
    stack: Stack, training_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a run whose message another execution received and is training
    started = call("POST", f"/models/{MODEL}/retrain", admin=True)
    run = training_runs().get(MODEL, started.body["run_id"])
    assert training_runs().claim(run, "the-other-execution") is not None
    trained: list[str] = []
    monkeypatch.setattr(train_handler, "execute", lambda run, deps: trained.append(run.run_id))

    # When SQS delivers the same message again (at least once)
    stack.drain(training_queue, train_handler.lambda_handler)

    # Then this execution does not train it, and the run is still the other's, RUNNING
    assert trained == []
    again = training_runs().get(MODEL, run.run_id)
    assert (again.status.value, again.claimed_by) == ("RUNNING", "the-other-execution")
    assert training_runs().claim(again, "a-third-execution") is None


def test_the_claim_stays_on_the_run_through_its_writes(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    # Given a run trained to its end by one execution
    upload_training_file(stack, training_data_queue, labelled_csv())
    run = retrain(stack, training_queue)

    # Then its record keeps that execution's claim (a late duplicate cannot take it), and the
    # API does not show it
    ended = training_runs().get(MODEL, run["run_id"])
    assert ended.status.value == "PROMOTED"
    assert ended.claimed_by
    assert training_runs().claim(ended, "a-late-duplicate") is None
    assert "claimed_by" not in run


def test_a_crash_at_promotion_leaves_the_champion_and_fails_the_run(
    stack: Stack,
    training_queue: Queue,
    training_data_queue: Queue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload_training_file(stack, training_data_queue, labelled_csv())
    registry = adapters.model_registry()

    def broken_move(*args: object, **kwargs: object) -> None:
        raise ConnectionError("network gone")

    monkeypatch.setattr(registry, "move_alias", broken_move)

    run = retrain(stack, training_queue)

    assert run["status"] == "FAILED"
    assert "network gone" in run["error"]["message"]
    assert registry.get_model(MODEL).champion == LOGREG
    assert training_runs().holder(MODEL) is None


def test_non_admins_cannot_retrain_or_upload(stack: Stack) -> None:
    assert call("POST", f"/models/{MODEL}/retrain").status == 403
    assert call("POST", f"/models/{MODEL}/training-data", body={"filename": "a.csv"}).status == 403


def test_a_run_of_an_unknown_model_is_404(stack: Stack) -> None:
    answer = call("GET", f"/models/{MODEL}/runs/20260101T000000Z-00000000")

    assert answer.status == 404
    assert answer.body["error"]["code"] == "run_not_found"


def test_the_candidate_version_names_the_recipe_and_run(registry: Registry) -> None:
    recipe = train_run.recipe_for(MODEL)
    assert recipe is not None
    assert train_run.candidate_version(recipe, "20261201T000000Z-abcd1234") == (
        "breast-cancer-logistic-20261201T000000Z-abcd1234"
    )


def test_a_run_trains_on_the_files_it_names(
    stack: Stack, training_queue: Queue, training_data_queue: Queue
) -> None:
    # Given good data, then shuffled data: the window would hold both
    good = upload_training_file(stack, training_data_queue, labelled_csv())
    upload_training_file(stack, training_data_queue, labelled_csv(shuffled=True))

    # When a run names only the good file
    started = call(
        "POST", f"/models/{MODEL}/retrain", admin=True, body={"files": [good["file_id"]]}
    )
    stack.drain(training_queue, train_handler.lambda_handler)
    run = call("GET", f"/models/{MODEL}/runs/{started.body['run_id']}").body

    # Then it trains on that file only
    assert run["status"] == "PROMOTED", run
    assert run["rows"]["train"] + run["rows"]["holdout"] == 569


def test_a_schedule_message_starts_a_run_in_the_function(
    stack: Stack, training_queue: Queue
) -> None:
    # Given the message a schedule sends (the model, no run)
    stack.sqs.send_message(
        QueueUrl=training_queue.url, MessageBody='{"model": "breast-cancer", "trigger": "schedule"}'
    )

    # When TrainFunction receives it
    stack.drain(training_queue, train_handler.lambda_handler)

    # Then it started (and ended) a run of its own, recorded with its trigger
    runs = call("GET", f"/models/{MODEL}/runs").body["items"]
    assert [(run["trigger"], run["status"]) for run in runs] == [("schedule", "FAILED")]
    assert runs[0]["error"]["code"] == "no_training_data"


def test_every_run_end_is_announced_as_model_retrained(
    stack: Stack,
    training_queue: Queue,
    training_data_queue: Queue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given EventBridge's PutEvents watched
    sent: list[dict] = []
    events = adapters.model_events()
    monkeypatch.setattr(events, "_put", lambda kind, detail: sent.append({kind: detail}))
    upload_training_file(stack, training_data_queue, labelled_csv())

    # When a run promotes its candidate
    run = retrain(stack, training_queue)

    # Then the registry announced the version, the alias move and the run's end
    kinds = [next(iter(event)) for event in sent]
    assert kinds == ["Model Published", "Model Alias Changed", "Model Retrained"]
    detail = sent[-1]["Model Retrained"]
    assert (detail["run_id"], detail["status"]) == (run["run_id"], "PROMOTED")
    assert detail["candidate_version"] == run["candidate_version"]
    assert detail["gate"]["passed"] is True


def test_a_model_without_a_recipe_gets_a_run_that_fails_saying_so(
    stack: Stack, training_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    import train_recipes

    monkeypatch.setattr(train_recipes, "RECIPES", {})

    run = retrain(stack, training_queue)

    assert run["status"] == "FAILED"
    assert run["error"]["code"] == "no_recipe"
