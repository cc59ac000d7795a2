"""ProcessFunction's half of retraining on sustained drift: a drifted job asks TrainFunction."""

from __future__ import annotations

from collections.abc import Iterator

import process_handler
import pytest

from batchscore_core.models import Job
from batchscore_core.settings import get_settings
from tests.integration.moto_stack import Queue, Stack
from tests.jobs_support import finished_api_job

MODEL = "breast-cancer"


@pytest.fixture(autouse=True)
def fresh_glue() -> Iterator[None]:
    """The glue is read once per container: built again from each test's environment."""
    process_handler.retrain_on_drift.cache_clear()
    yield
    get_settings.cache_clear()
    process_handler.retrain_on_drift.cache_clear()


def drifted_job() -> Job:
    return finished_api_job("0" * 32, "user-1", model_name=MODEL)


def test_a_drifted_job_asks_train_function_to_weigh_a_run(
    stack: Stack, training_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given retraining on sustained drift switched on
    monkeypatch.setenv("DRIFT_RETRAIN_K_OF_N", "3/5")
    get_settings.cache_clear()

    # When a drifted job is handed to the glue
    on_drift = process_handler.retrain_on_drift()
    assert on_drift is not None
    on_drift(drifted_job())

    # Then TrainingQueue holds a `drift` message naming the model and no run
    assert stack.message_bodies(training_queue) == [
        {"model": MODEL, "trigger": "drift", "run_id": None}
    ]


def test_without_the_setting_there_is_no_glue_and_it_is_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the setting off
    monkeypatch.delenv("DRIFT_RETRAIN_K_OF_N", raising=False)
    get_settings.cache_clear()

    # When the glue is asked for, then asked again after the setting changes in the container
    first = process_handler.retrain_on_drift()
    monkeypatch.setenv("DRIFT_RETRAIN_K_OF_N", "3/5")
    get_settings.cache_clear()
    second = process_handler.retrain_on_drift()

    # Then there is none, and the second answer is the cached first (read once per cold start)
    assert first is None
    assert second is None
