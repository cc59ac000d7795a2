"""Errors of the API's own logic (the core's domain errors live in batchscore_core.errors)."""

from __future__ import annotations


class InsecureCallback(ValueError):
    """A callback_url batchscore will not deliver to, or that no secret of the caller can sign."""

    field = "callback_url"


class TooManyActiveJobs(Exception):
    """The owner already has as many unfinished jobs as the deployment allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"you already have {limit} jobs that are not finished: wait for some to end "
            "(or delete the ones you will not upload) before creating more"
        )
        self.limit = limit
