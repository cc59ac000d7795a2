"""The web page on loopback: `web/` as static files plus a generated /config.json.

moto's server answers the browser's CORS preflight for Cognito's JSON API itself, so the page
calls the emulator directly (cognitoEndpoint) and no proxy is needed.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

log = logging.getLogger("batchscore.local")

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

    def __init__(self, host: str, port: int, web_dir: Path, config: dict[str, Any]) -> None:
        self.config = config
        self.has_page = (web_dir / "index.html").is_file()
        handler = partial(_WebRequestHandler, directory=str(web_dir))
        super().__init__((host, port), handler)
