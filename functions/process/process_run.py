"""One attempt at a job: claim it, score its CSV into an xlsx, store the result, end the job."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from process_progress import ProgressReporter, RunAbandoned

from batchscore_core.errors import InvalidTransition, JobNotFound
from batchscore_core.keys import outbox_result_key, result_key
from batchscore_core.models import Job, JobError, JobStatus, iso, utc_now
from batchscore_core.notify import Announcer
from batchscore_core.observability import logger, metrics
from batchscore_core.outbox import dropped_input, reject
from batchscore_core.storage import XLSX_CONTENT_TYPE, DataStore, ObjectMissing
from batchscore_core.store import JobStore
from batchscore_model.bundle import Bundle
from batchscore_model.csvcheck import problem
from batchscore_model.engine import EngineOptions, ScoreSummary, score_csv
from batchscore_model.errors import InputRejected

ATTEMPT_FAILED = "attempt_failed"
_MAX_MESSAGE = 500


@dataclass(frozen=True)
class RunSettings:
    progress_interval_seconds: float
    engine_options: EngineOptions
    work_dir: Path
    # Checked again here: a retried `too_large` rejection must not be scored (None: no check).
    max_input_bytes: int | None = None


@dataclass(frozen=True)
class StoredResult:
    key: str
    version_id: str | None
    summary: ScoreSummary


def process_job(
    job_id: str,
    *,
    lease_seconds: int,
    store: JobStore,
    data: DataStore,
    announcer: Announcer,
    bundle: Bundle,
    settings: RunSettings,
) -> Job | None:
    """The job as this attempt left it; None when the attempt did nothing (not ours to run).

    Any unexpected error hands the job back to the queue (QUEUED, error recorded) and is raised
    again, so that SQS retries the message.
    """
    try:
        job = store.claim(
            job_id,
            lease_seconds=lease_seconds,
            attempt_changes={"started_at": iso(utc_now()), "model_version": bundle.version},
        )
    except (InvalidTransition, JobNotFound) as exc:
        logger.info("job not claimable: delivery ignored", extra={"reason": exc.code})
        return None
    logger.info("job claimed", extra={"attempt": job.attempts, "model_version": bundle.version})
    started = time.monotonic()
    try:
        stored = _score_and_store(job, store=store, data=data, bundle=bundle, settings=settings)
    except RunAbandoned:
        logger.info("job left PROCESSING while running: attempt stopped")
        return None
    except InputRejected as exc:
        return reject(
            job,
            _rejection(exc),
            from_state=JobStatus.PROCESSING,
            store=store,
            data=data,
            announcer=announcer,
        )
    except ObjectMissing:
        error = JobError(code="input_missing", message="the uploaded file is no longer there")
        return reject(
            job,
            error,
            from_state=JobStatus.PROCESSING,
            store=store,
            data=data,
            announcer=announcer,
        )
    except Exception as exc:
        _hand_back(job, exc, store)
        raise
    return _succeed(job, stored, started, store=store, data=data, announcer=announcer)


def _score_and_store(
    job: Job, *, store: JobStore, data: DataStore, bundle: Bundle, settings: RunSettings
) -> StoredResult:
    size = data.head(job.input_key, job.input_version_id).size
    if settings.max_input_bytes is not None and size > settings.max_input_bytes:
        message = f"{job.filename}: {size} bytes is over the {settings.max_input_bytes}-byte limit"
        raise InputRejected("too_large", message, [problem(message)])
    progress = ProgressReporter(
        store, job.job_id, total_bytes=size, interval_seconds=settings.progress_interval_seconds
    )
    with tempfile.TemporaryDirectory(prefix="batchscore-", dir=settings.work_dir) as work:
        output = Path(work) / "result.xlsx"
        source = data.open(job.input_key, job.input_version_id)
        try:
            summary = score_csv(
                source,
                bundle,
                output,
                progress=progress,
                job_id=job.job_id,
                options=settings.engine_options,
            )
        finally:
            source.close()
        key = output_key(job)
        version_id = data.upload_file(output, key, XLSX_CONTENT_TYPE)
    return StoredResult(key=key, version_id=version_id, summary=summary)


def output_key(job: Job) -> str:
    dropped = dropped_input(job)
    if dropped is not None:
        return outbox_result_key(dropped)
    return result_key(job.owner, job.job_id, job.filename)


def _succeed(
    job: Job,
    stored: StoredResult,
    started: float,
    *,
    store: JobStore,
    data: DataStore,
    announcer: Announcer,
) -> Job | None:
    summary = stored.summary
    duration_ms = int((time.monotonic() - started) * 1000)
    changes: dict[str, Any] = {
        "result_key": stored.key,
        "result_version_id": stored.version_id,
        "rows_total": summary.rows_read,
        "rows_done": summary.rows_scored,
        "rows_rejected": summary.rows_rejected,
        "model_version": summary.model_version,
        "finished_at": iso(utc_now()),
        "duration_ms": duration_ms,
    }
    try:
        done = store.advance(
            job.job_id,
            JobStatus.SUCCEEDED,
            from_states={JobStatus.PROCESSING},
            changes=changes,
            remove=("lease_expires_at", "error"),
        )
    except (InvalidTransition, JobNotFound):
        logger.info("job left PROCESSING before it ended: result discarded")
        data.delete_version(stored.key, stored.version_id)
        return None
    metrics.add_metric(name="JobsSucceeded", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="RowsScored", unit=MetricUnit.Count, value=summary.rows_scored)
    metrics.add_metric(name="JobDuration", unit=MetricUnit.Milliseconds, value=duration_ms)
    logger.info(
        "job succeeded",
        extra={
            "rows_read": summary.rows_read,
            "rows_scored": summary.rows_scored,
            "rows_rejected": summary.rows_rejected,
            "model_version": summary.model_version,
            "timings": summary.timings,
            "duration_ms": duration_ms,
        },
    )
    announcer.announce(done)
    return done


def _hand_back(job: Job, exc: Exception, store: JobStore) -> None:
    """Back to QUEUED for the queue's next receive; after the last one the DLQ fails the job."""
    logger.exception("attempt failed")
    metrics.add_metric(name="AttemptsFailed", unit=MetricUnit.Count, value=1)
    message = f"{type(exc).__name__}: {exc}"[:_MAX_MESSAGE]
    try:
        store.advance(
            job.job_id,
            JobStatus.QUEUED,
            from_states={JobStatus.PROCESSING},
            changes={"error": JobError(code=ATTEMPT_FAILED, message=message)},
            remove=("lease_expires_at",),
        )
    except (InvalidTransition, JobNotFound):
        logger.info("job left PROCESSING before the failure was recorded")


def _rejection(exc: InputRejected) -> JobError:
    return JobError.model_validate(exc.to_dict())
