"""The local HTTP transport reads a request's body as Content-Length announces it, and answers
a length that lies or is not a number instead of holding a thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from infra.local.api.event import HttpRequest
from infra.local.api.response import HttpResponse
from infra.local.api.server import ApiServer


class EchoGateway:
    """Answers 200 with the body it was given."""

    def handle(self, request: HttpRequest, host: str) -> HttpResponse:
        return HttpResponse(200, [("content-type", "text/plain")], b"got:" + request.body)


@pytest.fixture
def server() -> Iterator[ApiServer]:
    api = ApiServer("127.0.0.1", 0, EchoGateway())  # type: ignore[arg-type]
    api.body_wait_seconds = 0.3
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    yield api
    api.shutdown()
    api.server_close()
    thread.join()


def exchange(server: ApiServer, head: bytes, body: bytes = b"") -> bytes:
    """Send a request's `head` lines and `body` as they are; the whole answer (the request asks
    the server to close once it has answered)."""
    raw = b"\r\n".join([*head.split(b"\n"), b"Host: h", b"Connection: close", b"", b""]) + body
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def test_a_body_as_announced_reaches_the_gateway(server: ApiServer) -> None:
    answer = exchange(server, b"POST /x HTTP/1.1\nContent-Length: 5", b"hello")

    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.endswith(b"got:hello")


# (Content-Length sent with no body, the answer): a body shorter than announced (a fuzzer sent
# `Content-Length: 5` on a GET) is waited for, then refused; a length that is not a count, or
# one over API Gateway's limit (reading it would allocate it first), is refused unread
REFUSED = [
    (b"5", b"408", b'{"message": "Request Timeout"}'),
    (b":", b"400", b'{"message": "Bad Request"}'),
    (b"-1", b"400", b'{"message": "Bad Request"}'),
    (b"five", b"400", b'{"message": "Bad Request"}'),
    (b"1000000000000", b"413", b'{"message": "Request Entity Too Large"}'),
]


@pytest.mark.parametrize(
    ("length", "status", "body"), REFUSED, ids=[r[0].decode() for r in REFUSED]
)
def test_a_length_the_body_does_not_fit_is_answered_and_the_line_closed(
    server: ApiServer, length: bytes, status: bytes, body: bytes
) -> None:
    # Given a request whose Content-Length no body follows, the connection left open
    # When the server has waited (or seen at once) that the body does not fit
    answer = exchange(server, b"POST /x HTTP/1.1\nContent-Length: " + length)

    # Then it answers as API Gateway does
    assert answer.startswith(b"HTTP/1.1 " + status)
    assert answer.endswith(body)
