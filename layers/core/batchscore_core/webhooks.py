"""Signed webhooks: how a delivery is signed, verified by a receiver, sent, and retried.

The signature is HMAC-SHA256 (hex) with the owner's secret over
`b"<timestamp>.<owner>.<delivery id>." + body`, sent as `X-Batchscore-Signature: v2=<hex>` next
to `X-Batchscore-Timestamp` (epoch seconds), `X-Batchscore-Owner` and `X-Batchscore-Delivery`.
A delivery goes only to a checked global address (batchscore_core.callback_address), within
one overall deadline, and never follows a redirect.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from batchscore_core.callback_address import (
    CallbackRefused,
    CallbackTarget,
    Resolver,
    resolve_target,
    system_resolver,
)
from batchscore_core.events import DETAIL_TYPES
from batchscore_core.models import Job

SIGNATURE_HEADER = "X-Batchscore-Signature"
TIMESTAMP_HEADER = "X-Batchscore-Timestamp"
EVENT_HEADER = "X-Batchscore-Event"
DELIVERY_HEADER = "X-Batchscore-Delivery"
OWNER_HEADER = "X-Batchscore-Owner"
SIGNATURE_VERSION = "v2"
USER_AGENT = "batchscore-webhooks/2"

DEFAULT_TOLERANCE_SECONDS = 300
# One deadline for the whole POST (connect, TLS, request, status line and headers): a partner
# that drips its answer cannot hold a delivery longer. WebhookFunction's timeout allows a full
# batch of 10 at this deadline.
DELIVERY_DEADLINE_SECONDS = 5.0
# What a failed delivery records: the same few words whatever the network said, so the job's
# `webhook.last_error` tells nothing about hosts and ports beyond the partner's answer.
REFUSED = "the callback URL is not allowed"
NO_ANSWER = "no answer from the callback URL"
TOO_SLOW = "the callback URL did not answer within the deadline"
# Seconds to wait after attempt n fails (index n-1); attempt MAX_ATTEMPTS is the last one.
BACKOFF_SECONDS = (10, 30, 120, 600, 1800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1


class SignatureError(ValueError):
    """A webhook whose signature is missing, malformed, wrong or too old."""


@dataclass(frozen=True)
class DeliveryOutcome:
    """How one POST went: `delivered` is a 2xx answer; `status` is None when none came back."""

    delivered: bool
    status: int | None
    error: str | None


def sign(secret: bytes, timestamp: int, body: bytes, *, owner: str, delivery: str) -> str:
    """The hex HMAC-SHA256 of `b"<timestamp>.<owner>.<delivery>." + body`."""
    signed = f"{timestamp}.{owner}.{delivery}.".encode() + body
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    body: bytes,
    signature_header: str | None,
    timestamp_header: str | None,
    *,
    owner: str,
    delivery: str | None,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """For receivers: raise SignatureError unless `owner`'s delivery was signed with `secret`.

    `owner` is the receiver's own client id (never taken from the request); `delivery` is the
    `X-Batchscore-Delivery` header. Answers the signed timestamp. A header may carry several
    `v2=` values (during a key rotation); one match is enough.
    """
    if not signature_header or not timestamp_header or not delivery:
        raise SignatureError("missing signature, timestamp or delivery header")
    if not timestamp_header.isascii() or not timestamp_header.strip().isdigit():
        raise SignatureError("the timestamp is not an integer")
    timestamp = int(timestamp_header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise SignatureError("the timestamp is outside the tolerance window")
    expected = sign(secret, timestamp, body, owner=owner, delivery=delivery).encode()
    prefix = f"{SIGNATURE_VERSION}="
    candidates = [
        part.strip()[len(prefix) :].encode("utf-8", "replace")
        for part in signature_header.split(",")
        if part.strip().startswith(prefix)
    ]
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("the signature does not match")
    return timestamp


def event_name(job: Job) -> str:
    """The same names as the EventBridge detail types (`Job Succeeded`, ...)."""
    return DETAIL_TYPES.get(job.status, f"Job {job.status.value.title()}")


def delivery_id(job: Job) -> str:
    """Stable across the retries of one notification, so a receiver can drop duplicates."""
    seed = f"{job.job_id}\n{job.status.value}\n{job.finished_at or ''}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def payload(job: Job) -> bytes:
    """The body a receiver gets: the public job JSON."""
    return json.dumps(job.public(), separators=(",", ":"), sort_keys=True).encode()


def signed_headers(
    secret: bytes, body: bytes, *, owner: str, event: str, delivery: str, timestamp: int
) -> dict[str, str]:
    signature = sign(secret, timestamp, body, owner=owner, delivery=delivery)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: f"{SIGNATURE_VERSION}={signature}",
        TIMESTAMP_HEADER: str(timestamp),
        OWNER_HEADER: owner,
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery,
    }


class _PinnedHttps(http.client.HTTPSConnection):
    """TLS to the checked address, with the URL's host name for SNI, certificate and Host."""

    def __init__(self, target: CallbackTarget, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self.address = target.address
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        self.raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHttp(http.client.HTTPConnection):
    """Plain HTTP, only ever to a loopback address (local stacks)."""

    def __init__(self, target: CallbackTarget, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        self.raw = self.sock = socket.create_connection((self.address, self.port), self.timeout)


def _cut(connection: _PinnedHttps | _PinnedHttp, expired: threading.Event) -> None:
    """At the deadline: end the connection under whatever read or write is waiting on it."""
    expired.set()
    raw = connection.raw
    if raw is not None:
        with contextlib.suppress(OSError):
            raw.shutdown(socket.SHUT_RDWR)


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow_loopback: bool = False,
    resolve: Resolver = system_resolver,
    deadline_seconds: float = DELIVERY_DEADLINE_SECONDS,
    tls_context: ssl.SSLContext | None = None,
) -> DeliveryOutcome:
    """One POST to the checked address of `url`; never raises for network or HTTP trouble."""
    try:
        target = resolve_target(url, allow_loopback=allow_loopback, resolve=resolve)
    except CallbackRefused:
        return DeliveryOutcome(delivered=False, status=None, error=REFUSED)
    connection: _PinnedHttps | _PinnedHttp
    if target.scheme == "https":
        context = tls_context or ssl.create_default_context()
        connection = _PinnedHttps(target, deadline_seconds, context)
    else:
        connection = _PinnedHttp(target, deadline_seconds)
    expired = threading.Event()
    watchdog = threading.Timer(deadline_seconds, _cut, args=(connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=bytes(body), headers=dict(headers))
        status = int(connection.getresponse().status)
    except (OSError, http.client.HTTPException, ValueError):
        status = 0
    finally:
        watchdog.cancel()
        connection.close()
    if expired.is_set():  # cut mid-answer, even if what was read so far looked complete
        return DeliveryOutcome(delivered=False, status=None, error=TOO_SLOW)
    if not status:
        return DeliveryOutcome(delivered=False, status=None, error=NO_ANSWER)
    if 200 <= status < 300:
        return DeliveryOutcome(delivered=True, status=status, error=None)
    # 3xx included: a redirect is a failure, it must not carry the delivery somewhere else
    return DeliveryOutcome(delivered=False, status=status, error=f"HTTP {status}")


def deliver(
    job: Job, url: str, secret: bytes, *, timestamp: int | None = None, **transport: Any
) -> DeliveryOutcome:
    """Sign the public job JSON for its owner and POST it to `url` (`transport`: see `post`)."""
    body = payload(job)
    headers = signed_headers(
        secret,
        body,
        owner=job.owner,
        event=event_name(job),
        delivery=delivery_id(job),
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )
    return post(url, body, headers, **transport)


def backoff_seconds(failed_attempt: int) -> int | None:
    """How long to wait after attempt `failed_attempt` (1-based) failed; None: give up."""
    if failed_attempt < 1 or failed_attempt >= MAX_ATTEMPTS:
        return None
    return BACKOFF_SECONDS[failed_attempt - 1]
