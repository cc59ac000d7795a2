"""The HTTP transport in front of the gateway: stdlib ThreadingHTTPServer on loopback."""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from infra.local.api.event import HttpRequest
from infra.local.api.gateway import HttpApiGateway
from infra.local.api.response import (
    BAD_REQUEST,
    PAYLOAD_TOO_LARGE,
    REQUEST_TIMEOUT,
    HttpResponse,
)

log = logging.getLogger("infra.local")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit (HTTP APIs: 10 MB)


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        body = self._body()
        if body is None:
            return
        target = urlsplit(self.path)
        request = HttpRequest(
            method=self.command,
            path=target.path,
            query=target.query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        host = self.headers.get("host") or f"{self.server.host}:{self.server.server_port}"
        self._answer(self.server.gateway.handle(request, host))

    def _body(self) -> bytes | None:
        """The body Content-Length announces; None when the request was answered for it: 400
        for a length that is not a number, 413 over API Gateway's 10 MB, 408 when the body does
        not arrive in time (a client that announces more than it sends would otherwise hold a
        thread until it hangs up)."""
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._refuse(BAD_REQUEST)
            return None
        if length > MAX_BODY_BYTES:
            self._refuse(PAYLOAD_TOO_LARGE)
            return None
        if length == 0:
            return b""
        self.connection.settimeout(self.server.body_wait_seconds)
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            body = b""
        finally:
            self.connection.settimeout(None)
        if len(body) < length:
            self._refuse(REQUEST_TIMEOUT)
            return None
        return body

    def _refuse(self, response: HttpResponse) -> None:
        self.close_connection = True  # what the client still sends is not a next request
        try:
            self._answer(response)
        except (BrokenPipeError, ConnectionResetError):  # it hung up before its body was done
            log.info("api client left before its body was read: %s", self.requestline)

    def _answer(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        log.info("api %s", format % args)


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    # listen()'s backlog: socketserver's default of 5 resets connections of a burst of clients
    # (32 concurrent POST /jobs lost some) before a thread could accept them.
    request_queue_size = 1024
    # How long a body announced by Content-Length may take to arrive once the headers have.
    body_wait_seconds = 5.0

    def __init__(self, host: str, port: int, gateway: HttpApiGateway) -> None:
        self.gateway = gateway
        self.host = host
        super().__init__((host, port), _GatewayRequestHandler)
