"""TrainFunction: retraining runs from TrainingQueue.

A message names a run the API (or another trigger) started, or, from a schedule, only the
model: then this function starts the run itself.
"""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    import tempfile
    import uuid
    from pathlib import Path
    from typing import Any

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from train_check import training_files
    from train_drift import drift_warrants_run
    from train_recipes import recipe_for
    from train_run import RunDeps, execute

    from batchscore_core import adapters
    from batchscore_core.drift_log import SustainedDrift, recent_drift
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.settings import get_settings
    from batchscore_core.sqs_batch import partial_batch_response
    from batchscore_core.training_runs import RunInProgress, RunStatus
    from batchscore_core.training_trigger import RunMessage, begin_run, training_runs
    from batchscore_model.loaded import model_bundle


processor = BatchProcessor(event_type=EventType.SQS)


def run_deps() -> RunDeps:
    settings = get_settings()
    return RunDeps(
        registry=adapters.model_registry(),
        model_files=adapters.model_files(),
        events=adapters.model_events(),
        runs=training_runs(),
        training_files=training_files(),
        data=adapters.data_store(),
        load_bundle=model_bundle,
        window=settings.training_window_files,
        work_dir=Path(tempfile.gettempdir()),
    )


def sync_plan(model: str) -> None:
    """The model's `training` plan as its recipe says (GET /models/{name} shows it)."""
    recipe = recipe_for(model)
    if recipe is not None:
        plan = recipe.plan(get_settings().retrain_schedule)
        if adapters.model_registry().get_model(model).training.model_dump() != plan:
            adapters.model_registry().set_training(model, plan)


def handle_run(message: RunMessage) -> None:
    runs = training_runs()
    run_id = message.run_id
    if run_id is None:  # a schedule, or drift: start the run here
        if message.trigger == "drift" and not drift_warrants_run(
            SustainedDrift.parse(get_settings().drift_retrain_k_of_n),
            lambda n: recent_drift(message.model, n),
            runs.recent(message.model, limit=1),
        ):
            logger.info("drift does not (yet) warrant a run", extra={"model": message.model})
            return
        try:
            sync_plan(message.model)
            run_id = begin_run(
                message.model,
                message.trigger,
                message.trigger,
                registry=adapters.model_registry(),
                runs=runs,
                lease_seconds=get_settings().training_lease_seconds,
            )
        except RunInProgress as exc:
            logger.info("scheduled run skipped: a run holds the model", extra={"run": exc.run_id})
            return
    run = runs.get(message.model, run_id)
    if run.status is not RunStatus.RUNNING:
        logger.info("run already ended: message ignored", extra={"run_id": run_id})
        return
    if run.lease_expired:  # a delivery after a crash or timeout: the run ends FAILED
        runs.expire(run.model, run.run_id)
        return
    claimed = runs.claim(run, uuid.uuid4().hex)
    if claimed is None:  # a duplicate delivery: another execution is training this run
        logger.info("run already claimed: duplicate message ignored", extra={"run_id": run_id})
        return
    if message.run_id is not None:
        sync_plan(claimed.model)
    execute(claimed, run_deps())


def record_handler(record: SQSRecord) -> None:
    handle_run(RunMessage.model_validate_json(record.body))


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch_response(event, context, processor, record_handler)
