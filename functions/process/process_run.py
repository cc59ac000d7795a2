"""One attempt at a job: claim it, score its CSV into an xlsx, store the result, end the job."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import process_tracing
from process_faults import (
    ATTEMPT_FAILED,
    INTERNAL_ERROR,
    UNREADABLE_INPUT,
    Fault,
    classify,
)
from process_progress import ProgressReporter, RunAbandoned

from batchscore_core.drift_log import DriftLog, DriftRecord
from batchscore_core.drift_models import JobDrift
from batchscore_core.models import ErrorDetail, Job, JobError, iso, utc_now
from batchscore_core.observability import logger
from batchscore_core.prediction_summary import distribution_of
from batchscore_core.storage import XLSX_CONTENT_TYPE, DataStore, ObjectMissing
from batchscore_core.transitions import Transitions
from batchscore_model.bundle import Bundle
from batchscore_model.csvcheck import problem
from batchscore_model.engine import EngineOptions, ScoreSummary, score_csv
from batchscore_model.errors import InputRejected
from batchscore_model.input_formats import open_input

INPUT_MISSING = JobError(code="input_missing", message="the uploaded file is no longer there")


class HandedBack(Exception):
    """The attempt hit a transient error and gave the job back (QUEUED): retry the message."""


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
    scored_at: str | None = None  # the workbook written, before its upload


def process_job(
    job_id: str,
    *,
    lease_seconds: int,
    life: Transitions,
    data: DataStore,
    bundle: Bundle,
    settings: RunSettings,
    drift_log: DriftLog | None = None,
    model_name: str | None = None,
    on_drift: Callable[[Job], None] | None = None,
) -> Job | None:
    """The job as this attempt left it; None when the attempt did nothing (not ours to run).

    An error every attempt would meet ends the job at once: REJECTED for input that cannot be
    read, FAILED for anything else unexpected (a generic message; the detail is logged). A
    transient error hands the job back and raises HandedBack, so that the queue retries soon.
    `on_drift` is told of a succeeded job whose drift status is `drift` (retraining on
    sustained drift, when it is on).
    """
    claimed: dict[str, Any] = {"started_at": iso(utc_now()), "model_version": bundle.version}
    if model_name is not None:  # the registry model the job resolved to (its drift is filed so)
        claimed["model_name"] = model_name
    job = life.claim(job_id, lease_seconds=lease_seconds, changes=claimed)
    if job is None:
        return None
    logger.info("scoring", extra={"attempt": job.attempts, "model_version": bundle.version})
    started = time.monotonic()
    try:
        stored = _score_and_store(job, life=life, data=data, bundle=bundle, settings=settings)
    except RunAbandoned:
        logger.info("job left PROCESSING while running: attempt stopped")
        return None
    except InputRejected as exc:
        return life.reject(job, JobError.model_validate(exc.to_dict()))
    except ObjectMissing:
        return life.reject(job, INPUT_MISSING)
    except Exception as exc:
        fault = classify(exc)
        logger.exception("attempt failed", extra={"fault": fault.value})
        if fault is Fault.TRANSIENT:
            life.hand_back(job, ATTEMPT_FAILED)
            raise HandedBack(job_id) from exc
        if fault is Fault.BAD_INPUT:
            return life.reject(job, UNREADABLE_INPUT)
        return life.fail(job, INTERNAL_ERROR)
    done = _succeed(job, stored, started, life=life, data=data)
    if done is not None and drift_log is not None:
        _log_drift(done, drift_log)
    if done is not None and on_drift is not None and done.drift and done.drift.status == "drift":
        try:
            on_drift(done)
        except Exception:  # best effort: the job has succeeded either way
            logger.exception("could not ask for a retraining run on drift")
    return done


def _score_and_store(
    job: Job, *, life: Transitions, data: DataStore, bundle: Bundle, settings: RunSettings
) -> StoredResult:
    if job.result_key is None:
        raise ValueError(f"job {job.job_id} has no result key")
    size = data.head(job.input_key, job.input_version_id).size
    if settings.max_input_bytes is not None and size > settings.max_input_bytes:
        message = f"{job.filename}: {size} bytes is over the {settings.max_input_bytes}-byte limit"
        raise InputRejected("too_large", message, [problem(message)])
    progress = ProgressReporter(
        life, job.job_id, total_bytes=size, interval_seconds=settings.progress_interval_seconds
    )
    with tempfile.TemporaryDirectory(prefix="batchscore-", dir=settings.work_dir) as work:
        output = Path(work) / "result.xlsx"
        source = data.open(job.input_key, job.input_version_id)
        try:
            with process_tracing.stage("score", job.job_id):
                scoring_started = process_tracing.now()
                # .csv.gz / .xlsx become a CSV stream; progress counts the stored object's bytes.
                opened = open_input(source, job.filename, work_dir=Path(work), sheet=job.sheet)
                position = opened.position
                summary = score_csv(
                    opened.stream,
                    bundle,
                    output,
                    progress=progress
                    if position is None
                    else lambda rows, _read: progress(rows, position()),
                    job_id=job.job_id,
                    options=_options_of(job, settings.engine_options),
                    model_name=job.model_name,
                    column_map=job.column_map,
                )
                process_tracing.record_engine_stages(summary.timings, scoring_started, job.job_id)
        finally:
            source.close()
        scored_at = iso(utc_now())
        with process_tracing.stage("upload", job.job_id):
            version_id = data.upload_file(output, job.result_key, XLSX_CONTENT_TYPE)
    return StoredResult(
        key=job.result_key, version_id=version_id, summary=summary, scored_at=scored_at
    )


def _options_of(job: Job, options: EngineOptions) -> EngineOptions:
    """The deployment's engine options, with what the job asked for."""
    return options.model_copy(update={"explain": True}) if job.explain else options


def _succeed(
    job: Job, stored: StoredResult, started: float, *, life: Transitions, data: DataStore
) -> Job | None:
    summary = stored.summary
    warnings: list[Any] = list(getattr(summary, "warnings", None) or [])
    changes: dict[str, Any] = {
        "result_version_id": stored.version_id,
        "scored_at": stored.scored_at,
        "rows_total": summary.rows_read,
        "rows_done": summary.rows_scored,
        "rows_rejected": summary.rows_rejected,
        "model_version": summary.model_version,
        "warnings": [ErrorDetail.model_validate(w, from_attributes=True) for w in warnings],
        "warnings_total": int(getattr(summary, "warnings_total", len(warnings))),
    }
    distribution = distribution_of(
        getattr(summary, "prediction_counts", {}),
        getattr(summary, "prediction_histogram", []),
        getattr(summary, "prediction_stats", {}),
    )
    if distribution is not None:
        changes["prediction_distribution"] = distribution
    drift = getattr(summary, "drift", None)
    if drift is not None:
        changes["drift"] = JobDrift.model_validate(drift)
    done = life.succeed(
        job,
        changes,
        rows_scored=summary.rows_scored,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if done is None:
        data.delete_version(stored.key, stored.version_id)
    else:
        logger.info("timings", extra={"timings": summary.timings})
    return done


def _log_drift(job: Job, log: DriftLog) -> None:
    """The model's trend gains this job; best effort: the job has succeeded either way."""
    record = DriftRecord.of_job(job)
    if record is None:
        return
    try:
        log.record(record)
    except Exception:
        logger.exception("could not record the job's drift for its model")
