"""The job's life, one named transition per method: each takes its condition from the state
table (batchscore_core.lifecycle, through JobStore) and does its own side effects (metric, log
line, event and webhook, queue message, drop-folder error report), so a caller makes one call.

A transition that finds the job already moved on by another delivery, or deleted, answers None
(logged); the HTTP API's `retry` is the exception and raises, since its caller must hear why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from batchscore_core.drift_metrics import record_drift_metrics
from batchscore_core.errors import InvalidTransition, JobAlreadyExists, JobNotFound
from batchscore_core.keys import job_prefixes
from batchscore_core.lifecycle import RETRYABLE
from batchscore_core.models import Job, JobError, JobSource, JobStatus, iso, utc_now
from batchscore_core.notify import Announcer
from batchscore_core.observability import logger, metrics
from batchscore_core.outbox import write_error_report
from batchscore_core.queue import JobQueue
from batchscore_core.storage import DataStore
from batchscore_core.store import JobStore

# Fields of a finished attempt that a retried job must not carry into its next one.
_ATTEMPT_FIELDS = (
    "error",
    "scored_at",
    "finished_at",
    "duration_ms",
    "expires_at",
    "lease_expires_at",
)
_LEFT = (InvalidTransition, JobNotFound)


def count(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    metrics.add_metric(name=name, unit=unit, value=value)


def webhook_gave_up(job: Job, attempt: int, error: str | None) -> None:
    """The hook the webhook function calls when a delivery will not be tried again."""
    count("WebhooksAbandoned")
    logger.warning(
        "webhook abandoned", extra={"job_id": job.job_id, "attempt": attempt, "error": error}
    )


class Transitions:
    """Every state change of a job. `data` is needed by the transitions that write or delete
    objects (reject, fail, delete), `queue` by those that send the job to be scored (admit,
    retry)."""

    def __init__(
        self,
        store: JobStore,
        announcer: Announcer,
        *,
        data: DataStore | None = None,
        queue: JobQueue | None = None,
    ) -> None:
        self.store = store
        self._announcer = announcer
        self._data = data
        self._queue = queue

    # creation

    def submit(self, job: Job) -> Job:
        """A new web or API job, AWAITING_UPLOAD."""
        created = self.store.create(job)
        count("JobsCreated")
        logger.info("job created", extra={"job_id": job.job_id, "source": job.source.value})
        return created

    def open_drop(self, job: Job) -> Job:
        """The job a drop starts; a duplicated S3 event finds the one created first."""
        try:
            return self.store.create(job)
        except JobAlreadyExists:
            logger.info("duplicate drop event: continuing with the existing job")
            return self.store.get(job.job_id)

    # ingest

    def admit(
        self,
        job: Job,
        *,
        size_bytes: int,
        version_id: str | None,
        changes: Mapping[str, Any] | None = None,
    ) -> Job | None:
        """AWAITING_UPLOAD -> QUEUED, and on the jobs queue (`changes`: e.g. the chosen model)."""
        fields: dict[str, Any] = {**(changes or {}), "size_bytes": size_bytes, "queued_at": _now()}
        if version_id:
            fields["input_version_id"] = version_id
        try:
            queued = self.store.advance(
                job.job_id, JobStatus.QUEUED, from_states={job.status}, changes=fields
            )
        except _LEFT:
            logger.info("another delivery admitted the job first")
            return None
        # Advance first, then send: a failed send fails the record, and its retry sends again.
        self._jobs_queue().send(queued.job_id)
        count("JobsQueued")
        logger.info("job queued", extra={"size_bytes": size_bytes})
        self._announcer.announce(queued)
        return queued

    def resend(self, job: Job) -> None:
        """A QUEUED job whose first message may never have been sent: send it (harmless twice)."""
        self._jobs_queue().send(job.job_id)

    def reject(
        self, job: Job, error: JobError, *, changes: Mapping[str, Any] | None = None
    ) -> Job | None:
        """REJECTED from the state the caller saw (AWAITING_UPLOAD or PROCESSING): the input
        will never score. A drop-folder job's error report is written first."""
        fields: dict[str, Any] = {**(changes or {}), "error": error, "finished_at": _now()}
        fields.update(self._report(job, error))
        try:
            rejected = self.store.advance(
                job.job_id,
                JobStatus.REJECTED,
                from_states={job.status},
                changes=fields,
                remove=("lease_expires_at",),
            )
        except _LEFT:
            logger.info(f"job left {job.status.value} before it was rejected")
            return None
        count("JobsRejected")
        logger.info(
            "job rejected", extra={"error_code": error.code, "from_state": job.status.value}
        )
        self._announcer.announce(rejected)
        return rejected

    # an attempt

    def claim(self, job_id: str, *, lease_seconds: int, changes: Mapping[str, Any]) -> Job | None:
        """QUEUED -> PROCESSING (or take over a dead attempt); None when not ours to run."""
        try:
            job = self.store.claim(job_id, lease_seconds=lease_seconds, attempt_changes=changes)
        except _LEFT as exc:
            logger.info("job not claimable: delivery ignored", extra={"reason": exc.code})
            return None
        count("AttemptsStarted")
        logger.info("job claimed", extra={"attempt": job.attempts})
        return job

    def report_progress(self, job_id: str, rows_done: int, rows_total: int | None) -> Job:
        """Raises InvalidTransition or JobNotFound once the job left PROCESSING."""
        return self.store.record_progress(job_id, rows_done, rows_total)

    def succeed(
        self, job: Job, changes: Mapping[str, Any], *, rows_scored: int, duration_ms: int
    ) -> Job | None:
        """PROCESSING -> SUCCEEDED with the stored result; None if the job moved on meanwhile
        (the caller then discards its result)."""
        try:
            done = self.store.advance(
                job.job_id,
                JobStatus.SUCCEEDED,
                from_states={JobStatus.PROCESSING},
                changes={**changes, "finished_at": _now(), "duration_ms": duration_ms},
                remove=("lease_expires_at", "error"),
            )
        except _LEFT:
            logger.info("job left PROCESSING before it ended: result discarded")
            return None
        count("JobsSucceeded")
        count("RowsScored", rows_scored)
        count("JobDuration", duration_ms, MetricUnit.Milliseconds)
        record_drift_metrics(done)
        counts = {k: v for k, v in changes.items() if isinstance(v, int | str | None)}
        logger.info("job succeeded", extra={**counts, "duration_ms": duration_ms})
        self._announcer.announce(done)
        return done

    def hand_back(self, job: Job, error: JobError) -> Job | None:
        """PROCESSING -> QUEUED after a transient error: the queue delivers the job again."""
        count("AttemptsFailed")
        try:
            queued = self.store.advance(
                job.job_id,
                JobStatus.QUEUED,
                from_states={JobStatus.PROCESSING},
                changes={"error": error},
                remove=("lease_expires_at",),
            )
        except _LEFT:
            logger.info("job left PROCESSING before the failure was recorded")
            return None
        logger.info("job handed back for another attempt", extra={"attempt": job.attempts})
        return queued

    def fail(self, job: Job, error: JobError) -> Job | None:
        """FAILED from any state that is not final (the table's sources): a bug in this attempt,
        or a message that exhausted its receives."""
        fields: dict[str, Any] = {"error": error, "finished_at": _now(), **self._report(job, error)}
        try:
            failed = self.store.advance(
                job.job_id, JobStatus.FAILED, changes=fields, remove=("lease_expires_at",)
            )
        except _LEFT:
            logger.info("job ended or was deleted before it could fail: left alone")
            return None
        self._failed(failed)
        return failed

    def fail_unstarted_drop(self, job: Job, error: JobError) -> Job | None:
        """A drop whose job was never created: create it FAILED, so that it shows in the API.
        None when ingest created it meanwhile (the caller fails that one instead)."""
        failed = job.model_copy(
            update={"status": JobStatus.FAILED, "error": error, "finished_at": _now()}
        )
        failed = failed.model_copy(update=self._report(failed, error))
        try:
            created = self.store.create(failed)
        except JobAlreadyExists:
            return None
        self._failed(created)
        return created

    # the owner's actions

    def retry(self, job: Job) -> Job:
        """FAILED or REJECTED -> QUEUED with a fresh attempt; raises InvalidTransition otherwise."""
        queued = self.store.advance(
            job.job_id,
            JobStatus.QUEUED,
            from_states=RETRYABLE,
            changes={
                "rows_done": 0,
                "rows_rejected": 0,
                "warnings": [],
                "warnings_total": 0,
                "queued_at": _now(),
            },
            remove=_ATTEMPT_FIELDS,
        )
        self._jobs_queue().send(queued.job_id)
        count("JobsRetried")
        logger.info("job retried", extra={"job_id": job.job_id, "from_state": job.status.value})
        self._announcer.announce(queued)
        return queued

    def archive(self, job: Job, *, archived: bool) -> Job:
        """A flag, not a state: any job may be archived or brought back."""
        changed = self.store.update(job.job_id, {"archived": archived})
        logger.info("job archived" if archived else "job unarchived", extra={"job_id": job.job_id})
        return changed

    def delete(self, job: Job) -> None:
        """The job's objects first, then the job: a failure half-way leaves it listed, not
        orphaned."""
        data = self._objects()
        if job.source is JobSource.DROPBOX:
            # The drop folder's input belongs to the partner; only what we wrote to its outbox goes.
            # Only the versions this job wrote: another drop of the same name has its own.
            if job.result_key and (job.result_version_id or job.status is JobStatus.SUCCEEDED):
                data.delete_version(job.result_key, job.result_version_id)
            if job.error_report_key and (job.error_report_version_id or job.error is not None):
                data.delete_version(job.error_report_key, job.error_report_version_id)
        else:
            for prefix in job_prefixes(job.owner, job.job_id):
                data.delete_prefix(prefix)
        self.store.delete(job.job_id)
        count("JobsDeleted")
        logger.info("job deleted", extra={"job_id": job.job_id, "status": job.status.value})

    # helpers

    def _failed(self, job: Job) -> None:
        count("JobsFailed")
        logger.warning("job failed", extra={"error": job.error.model_dump() if job.error else None})
        self._announcer.announce(job)

    def _report(self, job: Job, error: JobError) -> dict[str, Any]:
        """A drop-folder job's error report, written; the fields that record it."""
        if job.error_report_key is None:
            return {}
        version = write_error_report(self._objects(), job, error)
        return {"error_report_version_id": version} if version else {}

    def _objects(self) -> DataStore:
        if self._data is None:
            raise TypeError("this transition needs Transitions(data=...)")
        return self._data

    def _jobs_queue(self) -> JobQueue:
        if self._queue is None:
            raise TypeError("this transition needs Transitions(queue=...)")
        return self._queue


def _now() -> str:
    return iso(utc_now())
