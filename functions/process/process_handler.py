"""ProcessFunction: one job message from the jobs queue -> an xlsx of predictions in S3."""

from __future__ import annotations

from batchscore_core.cold_start import long_lived_imports

with long_lived_imports():
    import tempfile
    from collections.abc import Callable
    from functools import lru_cache
    from pathlib import Path
    from typing import Any

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from process_faults import backoff_seconds
    from process_run import HandedBack, RunSettings, process_job
    from pydantic import Json

    from batchscore_core.adapters import data_store, drift_log, job_queue, job_store, transitions
    from batchscore_core.drift_log import SustainedDrift
    from batchscore_core.errors import JobNotFound
    from batchscore_core.models import Job
    from batchscore_core.observability import logger, metrics, tracer
    from batchscore_core.queue import JobMessage
    from batchscore_core.settings import get_settings
    from batchscore_core.sqs_batch import partial_batch_response
    from batchscore_core.training_trigger import training_queue
    from batchscore_model.engine import EngineOptions
    from batchscore_model.loaded import job_model, model_bundle


class JobSqsRecord(SqsRecordModel):
    body: Json[JobMessage]


processor = BatchProcessor(event_type=EventType.SQS, model=JobSqsRecord)


@lru_cache(maxsize=1)
def run_settings() -> RunSettings:
    settings = get_settings()
    return RunSettings(
        progress_interval_seconds=settings.progress_interval_seconds,
        engine_options=EngineOptions.model_validate(
            {"bad_rows": settings.bad_rows_policy, "chunk_rows": settings.scoring_chunk_rows}
        ),
        work_dir=Path(tempfile.gettempdir()),
        max_input_bytes=settings.max_upload_bytes,
    )


@lru_cache(maxsize=1)
def retrain_on_drift() -> Callable[[Job], None] | None:
    """With `DRIFT_RETRAIN_K_OF_N` set, a drifted job asks TrainFunction to weigh a run."""
    settings = get_settings()
    if not SustainedDrift.parse(settings.drift_retrain_k_of_n).enabled:
        return None
    if not settings.training_queue_url:
        return None

    def ask(job: Job) -> None:
        if job.model_name is not None:
            training_queue().send(job.model_name, trigger="drift")

    return ask


def record_handler(record: JobSqsRecord, lambda_context: LambdaContext) -> None:
    job_id = record.body.job_id
    logger.set_correlation_id(job_id)
    logger.append_keys(job_id=job_id)
    try:
        # The job names its registry version: loaded (or taken from the cache) before the claim.
        model = job_model(job_store().get(job_id))
        bundle = model_bundle(model)
    except JobNotFound:
        logger.info("no such job: delivery ignored")
        return
    try:
        process_job(
            job_id,
            # The lease ends when this invocation must: after that, a retry may take the job over.
            lease_seconds=max(1, lambda_context.get_remaining_time_in_millis() // 1000),
            life=transitions(),
            data=data_store(),
            bundle=bundle,
            settings=run_settings(),
            drift_log=drift_log(),
            model_name=model.name,
            on_drift=retrain_on_drift(),
        )
    except HandedBack:
        # Back soon rather than after the queue's visibility timeout (sized for a whole run).
        receives = int(record.attributes.ApproximateReceiveCount)
        job_queue().retry_in(record.receiptHandle, backoff_seconds(receives))
        raise


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)  # the dashboard's cold starts
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return partial_batch_response(event, context, processor, record_handler)
