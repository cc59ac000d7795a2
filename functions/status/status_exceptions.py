"""Errors of the API's own logic (the core's domain errors live in batchscore_core.errors)."""

from __future__ import annotations

from http import HTTPStatus

from batchscore_core.api_errors import ApiProblem, FieldProblem


class InsecureCallback(FieldProblem):
    """A callback_url batchscore will not deliver to, or that no secret of the caller can sign."""

    field = "callback_url"

    def __init__(self, message: str) -> None:
        super().__init__(self.field, message)


class TooManyActiveJobs(ApiProblem):
    """The owner already has as many unfinished jobs as the deployment allows."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too_many_active_jobs"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"you already have {limit} jobs that are not finished: wait for some to end "
            "(or delete the ones you will not upload) before creating more"
        )
        self.limit = limit
