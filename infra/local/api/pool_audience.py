"""The app client ids of a user pool, read from the emulator, cached for a few seconds.

On AWS the operator lists every partner's app client in the JWT authorizer's `audience`. Locally
partner clients are also created at run time (tests, `aws cognito-idp create-user-pool-client`),
so the local authorizer's audience list is the template's plus every client of the pool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

_CACHE_SECONDS = 5.0


class PoolClientIds:
    def __init__(
        self,
        cognito: Any,
        user_pool_id: str,
        cache_seconds: float = _CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cognito = cognito
        self._pool_id = user_pool_id
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._ids: frozenset[str] = frozenset()
        self._read_at: float | None = None

    def accepts(self, audiences: frozenset[str]) -> bool:
        """True if one audience is a client of the pool; a miss re-reads the pool once."""
        with self._lock:
            now = self._clock()
            stale = self._read_at is None or now - self._read_at >= self._cache_seconds
            if stale or not audiences & self._ids:
                self._ids = self._read()
                self._read_at = now
            return bool(audiences & self._ids)

    def _read(self) -> frozenset[str]:
        ids: set[str] = set()
        paginator = self._cognito.get_paginator("list_user_pool_clients")
        for page in paginator.paginate(UserPoolId=self._pool_id, PaginationConfig={"PageSize": 60}):
            ids.update(str(client["ClientId"]) for client in page.get("UserPoolClients", []))
        return frozenset(ids)
