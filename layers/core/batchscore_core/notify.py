"""What happens when a job reaches a state the outside world hears about."""

from __future__ import annotations

from batchscore_core.events import JobEvents
from batchscore_core.models import Job, JobStatus
from batchscore_core.observability import logger
from batchscore_core.webhook_queue import WebhookQueue


class Announcer:
    """Publishes job state changes (EventBridge) and, for a job that ended and asked for one,
    queues its webhook. A failure to announce never fails the job."""

    def __init__(self, events: JobEvents, webhook_queue: WebhookQueue | None = None) -> None:
        self._events = events
        self._webhooks = webhook_queue

    def announce(self, job: Job) -> None:
        try:
            self._events.publish(job)
        except Exception:  # the job's state is already stored; announcing is best effort
            logger.exception("could not publish the job event", extra={"job_id": job.job_id})
        # Only `drift` is an event; a warning shows on the job, the sheet and the metrics.
        if job.status is JobStatus.SUCCEEDED and job.drift and job.drift.status == "drift":
            try:
                self._events.publish_drift(job)
            except Exception:  # same: the job succeeded whether or not this is heard
                logger.exception("could not publish drift", extra={"job_id": job.job_id})
        if self._webhooks is None or job.webhook is None or not job.status.is_final:
            return
        try:
            self._webhooks.send(job.job_id, attempt=1)
        except Exception:  # same as above: the job is done whether or not the partner hears
            logger.exception("could not queue the job's webhook", extra={"job_id": job.job_id})
