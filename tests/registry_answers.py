"""The registry's answers as fakes of it serve them to the page's and the CLI's tests."""

from __future__ import annotations

from typing import Any

from batchscore_core.registry_models import AliasMove


def alias_move(
    alias: str,
    before: str | None,
    after: str,
    reason: str,
    *,
    at: str = "2026-12-01T10:00:00Z",
    by: str = "ana@example.com",
) -> dict[str, Any]:
    """One entry of `history` in GET /models/{name}: the registry's own AliasMove, as JSON."""
    return AliasMove(
        alias=alias, from_version=before, to_version=after, at=at, by=by, reason=reason
    ).model_dump()
