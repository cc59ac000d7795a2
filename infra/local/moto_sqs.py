"""One receiver at a time per queue in the emulator, as SQS's visibility timeout promises.

moto's server answers each request on its own thread, and its `receive_message` checks that a
message is visible and then marks it received as two steps. Two pollers long-polling one queue
could both take the same message within its visibility timeout, so one training run was
executed twice at once. A lock per queue around the receive makes the check and the mark one
step; a receiver waiting on an empty queue holds it only until its long poll ends.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.sqs.models import SQSBackend

_LOCKS: dict[tuple[int, str], threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _queue_lock(backend: SQSBackend, queue_name: str) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault((id(backend), queue_name), threading.Lock())


def _one_receiver(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def receive(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        with _queue_lock(self, queue_name):
            return original(self, queue_name, *args, **kwargs)

    receive._one_receiver = True  # type: ignore[attr-defined]
    return receive


def serialize_receives() -> None:
    """Idempotent: patch moto's SQS backend once per process."""
    original = SQSBackend.receive_message
    if not getattr(original, "_one_receiver", False):
        SQSBackend.receive_message = _one_receiver(original)  # type: ignore[method-assign]
