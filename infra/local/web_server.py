"""The web page on loopback: `web/` as static files plus a generated /config.json.

moto's server answers the browser's CORS preflight for Cognito's JSON API itself, so the page
calls the emulator directly (cognitoEndpoint) and no proxy is needed. This server also stands in
for the user pool domain: it serves the OAuth2 token URL (`oauth.py`) that moto lacks.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from infra.local.oauth import TOKEN_PATH, TokenEndpoint

log = logging.getLogger("infra.local")

_PLACEHOLDER = b"""<!doctype html><meta charset="utf-8"><title>batchscore</title>
<p>The web page (<code>web/</code>) is not there yet. The API and
<a href="/config.json">config.json</a> are served.</p>
"""


class _WebRequestHandler(SimpleHTTPRequestHandler):
    server: WebServer
    _static = False

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/config.json":
            self._send(200, "application/json", json.dumps(self.server.config).encode())
        elif not self.server.has_page and path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", _PLACEHOLDER)
        else:
            self._static = True
            super().do_GET()

    def do_POST(self) -> None:
        endpoint = self.server.token_endpoint
        if self.path.split("?", 1)[0] != TOKEN_PATH or endpoint is None:
            self._send(404, "application/json", b'{"error":"not_found"}')
            return
        length = int(self.headers.get("content-length") or 0)
        status, payload = endpoint.handle(
            self.rfile.read(length) if length else b"", self.headers.get("authorization")
        )
        self._send(status, "application/json;charset=UTF-8", json.dumps(payload).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("cache-control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        # The page changes while developing: never let the browser keep an old script.
        if self._static:
            self.send_header("cache-control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("web %s", format % args)


class WebServer(ThreadingHTTPServer):
    daemon_threads = True
    # listen()'s backlog: socketserver's default of 5 resets connections of a burst of clients
    # (32 concurrent POST /jobs lost some) before a thread could accept them.
    request_queue_size = 1024

    def __init__(
        self,
        host: str,
        port: int,
        web_dir: Path,
        config: dict[str, Any],
        token_endpoint: TokenEndpoint | None = None,
    ) -> None:
        self.config = config
        self.token_endpoint = token_endpoint
        self.has_page = (web_dir / "index.html").is_file()
        handler = partial(_WebRequestHandler, directory=str(web_dir))
        super().__init__((host, port), handler)
