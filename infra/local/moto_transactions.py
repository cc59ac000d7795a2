"""Emulator gap, handled here only: moto's DynamoDB transactions are not atomic across threads.

moto deep-copies the tables before a transaction and puts that copy back when one of its items
fails. Its server answers each request on its own thread, so without a lock:
- a transaction that fails while another commits wipes the other's writes;
- a plain write that lands between the copy and the restore is undone (lost), and one that lands
  during the copy breaks it (`dictionary changed size during iteration`, a 500);
- a read during a transaction sees its first items before it is cancelled (a dirty read).
DynamoDB serializes transactions against every other request on their items; one lock around
every backend operation that reads or writes items does the same (the model registry's alias
moves and upload claims rely on it). It must be installed in the process that runs moto's
server: the Lambda workers reach that server over HTTP.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_LOCK = threading.RLock()  # re-entrant: a transaction calls put_item / update_item itself

# Every backend operation that reads or writes a table's items.
SERIALIZED = (
    "batch_execute_statement",
    "batch_get_item",
    "batch_write_item",
    "delete_item",
    "execute_statement",
    "execute_transaction",
    "get_item",
    "put_item",
    "query",
    "scan",
    "transact_get_items",
    "transact_write_items",
    "update_item",
)


def _serialized(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def serialized(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return original(self, *args, **kwargs)

    serialized._serialized = True  # type: ignore[attr-defined]
    return serialized


def serialize_transactions() -> None:
    """Idempotent: patch moto's backend once per process."""
    for name in SERIALIZED:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_serialized", False):
            continue
        setattr(DynamoDBBackend, name, _serialized(original))
