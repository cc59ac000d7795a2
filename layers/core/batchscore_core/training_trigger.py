"""Start a retraining run from any trigger: the API, the CLI, a schedule, sustained drift.

`start_run(model, trigger, by)` takes the model's training lock, records the run as RUNNING
and queues it for TrainFunction (TrainingQueue); it answers the run id, or raises
RunInProgress (another run holds the model) or ModelNotFound.
"""

from __future__ import annotations

import json
from functools import lru_cache

from pydantic import BaseModel

from batchscore_core import adapters
from batchscore_core.observability import logger
from batchscore_core.queue import SqsQueue
from batchscore_core.registry import ModelRegistry
from batchscore_core.settings import get_settings
from batchscore_core.training_runs import TrainingRuns


class RunMessage(BaseModel):
    """TrainingQueue's body: a run to execute (`run_id`), or a schedule's "start one" (none)."""

    model: str
    trigger: str = "schedule"
    run_id: str | None = None


class TrainingQueue(SqsQueue):
    def send(self, model: str, trigger: str, run_id: str | None = None) -> None:
        """Queue a recorded run for TrainFunction (`run_id`), or without one ask it to start a
        run if one is warranted (a schedule's message has this shape too; a `drift` one is
        checked against the k-of-n rule first)."""
        body = RunMessage(model=model, run_id=run_id, trigger=trigger).model_dump()
        self._client.send_message(QueueUrl=self._url, MessageBody=json.dumps(body))


@lru_cache(maxsize=1)
def training_runs() -> TrainingRuns:
    return TrainingRuns(get_settings().models_table_name)


@lru_cache(maxsize=1)
def training_queue() -> TrainingQueue:
    return TrainingQueue(get_settings().training_queue_url)


def begin_run(
    model: str,
    trigger: str,
    by: str,
    *,
    registry: ModelRegistry,
    runs: TrainingRuns,
    lease_seconds: int,
    files: list[str] | None = None,
) -> str:
    """The run recorded as RUNNING with the model's lock (not queued).

    Whether the model has a recipe is TrainFunction's to say (a run without one ends FAILED
    `no_recipe`): recipes ship with the training code only.
    """
    registry.get_model(model)
    run = runs.start(model, trigger, by, lease_seconds=lease_seconds, files=files)
    logger.info("training run started", extra={"model": model, "run_id": run.run_id})
    return run.run_id


def start_run(
    model: str,
    trigger: str,
    by: str,
    *,
    registry: ModelRegistry | None = None,
    runs: TrainingRuns | None = None,
    queue: TrainingQueue | None = None,
    files: list[str] | None = None,
) -> str:
    """Start a run and queue it for TrainFunction; answers its run id (see the module doc).

    `files`: the training file ids to train on; None trains on the window of accepted files.
    """
    runs = runs or training_runs()
    run_id = begin_run(
        model,
        trigger,
        by,
        registry=registry or adapters.model_registry(),
        runs=runs,
        lease_seconds=get_settings().training_lease_seconds,
        files=files,
    )
    try:
        (queue or training_queue()).send(model, trigger, run_id=run_id)
    except Exception as exc:
        run = runs.get(model, run_id)
        runs.fail(run, "not_queued", f"the run could not be queued: {exc}")
        raise
    return run_id


def clear_training_adapters() -> None:
    training_runs.cache_clear()
    training_queue.cache_clear()
