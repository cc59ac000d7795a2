"""Errors of the API's own logic (the core's domain errors live in batchscore_core.errors)."""

from __future__ import annotations


class InsecureCallback(ValueError):
    """An http:// callback where this deployment only allows https."""

    field = "callback_url"
