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


def test_a_body_shorter_than_announced_is_answered_408(server: ApiServer) -> None:
    # Given a client that announces 5 bytes and sends none (a fuzzer did), keeping the line open
    answer = exchange(server, b"GET /x HTTP/1.1\nContent-Length: 5")

    # Then the server answers once its wait is over, and closes
    assert answer.startswith(b"HTTP/1.1 408")
    assert answer.endswith(b'{"message": "Request Timeout"}')


@pytest.mark.parametrize("length", [b":", b"-1", b"five"])
def test_a_length_that_is_not_a_count_is_answered_400(server: ApiServer, length: bytes) -> None:
    answer = exchange(server, b"GET /x HTTP/1.1\nContent-Length: " + length)

    assert answer.startswith(b"HTTP/1.1 400")
    assert answer.endswith(b'{"message": "Bad Request"}')


def test_a_body_over_api_gateways_limit_is_answered_413_unread(server: ApiServer) -> None:
    # Given a request announcing a terabyte (reading it would allocate it first)
    answer = exchange(server, b"POST /x HTTP/1.1\nContent-Length: 1000000000000")

    assert answer.startswith(b"HTTP/1.1 413")
    assert answer.endswith(b'{"message": "Request Entity Too Large"}')
