"""Emulator gap, handled here only: moto's DynamoDB transactions are not atomic across threads.

moto copies the tables before a transaction and restores that copy when one of its items fails:
a transaction that fails while another commits on a second thread wipes the other's writes.
DynamoDB serializes transactions; one lock around moto's does the same (the model registry's
concurrent alias moves rely on it).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_LOCK = threading.RLock()


def serialize_transactions() -> None:
    """Idempotent: patch moto's backend once per process."""
    original = DynamoDBBackend.transact_write_items
    if getattr(original, "_serialized", False):
        return

    @functools.wraps(original)
    def serialized(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return original(self, *args, **kwargs)

    serialized._serialized = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = serialized  # type: ignore[method-assign]
