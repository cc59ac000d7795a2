"""The HTTP transport in front of the gateway: stdlib ThreadingHTTPServer on loopback."""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from infra.local.api.event import HttpRequest
from infra.local.api.gateway import HttpApiGateway

log = logging.getLogger("infra.local")


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
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
        response = self.server.gateway.handle(request, host)
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

    def __init__(self, host: str, port: int, gateway: HttpApiGateway) -> None:
        self.gateway = gateway
        self.host = host
        super().__init__((host, port), _GatewayRequestHandler)
