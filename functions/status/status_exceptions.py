"""Errors of the API's own logic (the core's domain errors live in batchscore_core.errors)."""

from __future__ import annotations

from batchscore_core.api_errors import FieldProblem


class InsecureCallback(FieldProblem):
    """An http:// callback where this deployment only allows https."""

    field = "callback_url"

    def __init__(self, message: str) -> None:
        super().__init__(self.field, message)
