"""Signed webhooks: how a delivery is signed, verified by a receiver, sent, and retried.

The signature is HMAC-SHA256 (hex) over `b"<timestamp>." + body` with the partner's secret,
sent as `X-Batchscore-Signature: v1=<hex>` next to `X-Batchscore-Timestamp` (epoch seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from batchscore_core.events import DETAIL_TYPES
from batchscore_core.models import Job

SIGNATURE_HEADER = "X-Batchscore-Signature"
TIMESTAMP_HEADER = "X-Batchscore-Timestamp"
EVENT_HEADER = "X-Batchscore-Event"
DELIVERY_HEADER = "X-Batchscore-Delivery"
SIGNATURE_VERSION = "v1"
USER_AGENT = "batchscore-webhooks/1"

DEFAULT_TOLERANCE_SECONDS = 300
DELIVERY_TIMEOUT_SECONDS = 5.0
# Seconds to wait after attempt n fails (index n-1); attempt MAX_ATTEMPTS is the last one.
BACKOFF_SECONDS = (10, 30, 120, 600, 1800)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as a failure: it must not carry the delivery somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class SignatureError(ValueError):
    """A webhook whose signature is missing, malformed, wrong or too old."""


@dataclass(frozen=True)
class DeliveryOutcome:
    """How one POST went: `delivered` is a 2xx answer; `status` is None when none came back."""

    delivered: bool
    status: int | None
    error: str | None


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `b"<timestamp>." + body`."""
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    body: bytes,
    signature_header: str | None,
    timestamp_header: str | None,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """For receivers: raise SignatureError unless the body was signed with `secret` recently.

    Answers the signed timestamp. A header may carry several `v1=` values (during a key
    rotation); one match is enough.
    """
    if not signature_header or not timestamp_header:
        raise SignatureError("missing signature or timestamp header")
    try:
        timestamp = int(timestamp_header)
    except ValueError as exc:
        raise SignatureError("the timestamp is not an integer") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise SignatureError("the timestamp is outside the tolerance window")
    expected = sign(secret, timestamp, body)
    candidates = [
        part.strip()[len(SIGNATURE_VERSION) + 1 :]
        for part in signature_header.split(",")
        if part.strip().startswith(f"{SIGNATURE_VERSION}=")
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
    secret: bytes, body: bytes, *, event: str, delivery: str, timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: f"{SIGNATURE_VERSION}={sign(secret, timestamp, body)}",
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery,
    }


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float = DELIVERY_TIMEOUT_SECONDS,
) -> DeliveryOutcome:
    """One POST; never raises for network or HTTP trouble, it reports it."""
    if not url.lower().startswith(("https://", "http://")):
        return DeliveryOutcome(delivered=False, status=None, error="the URL is not http(s)")
    # the scheme is checked above: S310 guards against file:// and custom schemes
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        return DeliveryOutcome(delivered=False, status=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return DeliveryOutcome(delivered=False, status=None, error=_short(str(reason)))
    if 200 <= status < 300:
        return DeliveryOutcome(delivered=True, status=status, error=None)
    return DeliveryOutcome(delivered=False, status=status, error=f"HTTP {status}")


def deliver(job: Job, url: str, secret: bytes, *, timestamp: int | None = None) -> DeliveryOutcome:
    """Sign the public job JSON and POST it to `url`."""
    body = payload(job)
    headers = signed_headers(
        secret,
        body,
        event=event_name(job),
        delivery=delivery_id(job),
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )
    return post(url, body, headers)


def backoff_seconds(failed_attempt: int) -> int | None:
    """How long to wait after attempt `failed_attempt` (1-based) failed; None: give up."""
    if failed_attempt < 1 or failed_attempt >= MAX_ATTEMPTS:
        return None
    return BACKOFF_SECONDS[failed_attempt - 1]


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
