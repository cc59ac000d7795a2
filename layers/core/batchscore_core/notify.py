"""What happens when a job reaches a state the outside world hears about."""

from __future__ import annotations

from batchscore_core.events import JobEvents
from batchscore_core.models import Job
from batchscore_core.observability import logger


class Announcer:
    """Publishes job state changes (EventBridge); a failure to announce never fails the job."""

    def __init__(self, events: JobEvents) -> None:
        self._events = events

    def announce(self, job: Job) -> None:
        try:
            self._events.publish(job)
        except Exception:  # the job's state is already stored; announcing is best effort
            logger.exception("could not publish the job event", extra={"job_id": job.job_id})
