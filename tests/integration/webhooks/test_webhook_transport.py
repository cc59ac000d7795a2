"""The delivery's transport against real sockets on 127.0.0.1 (loopback allowed, as locally)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from batchscore_core.webhooks import NO_ANSWER, TOO_SLOW, post
from tests.integration.webhooks.webhook_support import running_receiver

DEADLINE = 1.0


@contextmanager
def dripping_server(interval: float = 0.3, lines: int = 40) -> Iterator[str]:
    """Answers with a status line, then one header line every `interval` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                try:
                    connection.sendall(b"HTTP/1.1 200 OK\r\n")
                    for i in range(lines):
                        if stop.wait(interval):
                            return
                        connection.sendall(f"X-Drip-{i}: 1\r\n".encode())
                    connection.sendall(b"Content-Length: 0\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_a_partner_that_drips_its_answer_is_cut_at_the_overall_deadline():
    # Given a partner that would take 12 s, each header well within a per-read timeout
    with dripping_server() as url:
        # When
        started = time.monotonic()
        outcome = post(url, b"{}", {}, allow_loopback=True, deadline_seconds=DEADLINE)
        took = time.monotonic() - started

    # Then it was cut at the deadline, not after the partner's 12 s (a bound far from both)
    assert (outcome.delivered, outcome.error) == (False, TOO_SLOW)
    assert DEADLINE * 0.9 <= took < 6.0


def test_the_delivery_connects_to_the_checked_address_and_keeps_the_name_as_host():
    # Given a name that the (injected) resolver answers with the receiver's loopback address
    with running_receiver(None) as receiver:
        port = int(receiver.url.rsplit(":", 1)[1].split("/", 1)[0])
        asked: list[str] = []

        def resolve(host: str, _port: int) -> list[str]:
            asked.append(host)
            return ["127.0.0.1"]

        # When
        post(
            f"http://partner.localhost:{port}/hooks",
            b"{}",
            {},
            allow_loopback=True,
            resolve=resolve,
        )

    # Then one lookup, and the request went to the address it gave, named as in the URL
    assert asked == ["partner.localhost"]
    assert receiver.received[0].headers["Host"] == f"partner.localhost:{port}"


def test_an_unreachable_partner_gets_the_same_words_as_any_network_failure():
    # Given a loopback port where nothing listens
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    # When
    outcome = post(f"http://127.0.0.1:{port}/", b"{}", {}, allow_loopback=True)

    # Then
    assert (outcome.delivered, outcome.status, outcome.error) == (False, None, NO_ANSWER)


@pytest.mark.parametrize("status", [301, 307, 308])
def test_a_redirect_is_not_followed(status):
    # Given a partner answering a redirect
    with running_receiver(None, statuses=[status]) as receiver:
        # When
        outcome = post(receiver.url, b"{}", {}, allow_loopback=True)

    # Then one request only, recorded as a failure
    assert len(receiver.received) == 1
    assert (outcome.delivered, outcome.status) == (False, status)
