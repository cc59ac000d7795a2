"""A partner's webhook endpoint on 127.0.0.1 (stdlib http.server in a thread), for tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from batchscore_core.webhooks import SignatureError, verify

REGION = "us-east-1"
SECRET = b"local-partner-secret"
OWNER = "partner-client"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """Verifies each delivery's signature and answers the scripted statuses in turn
    (the last one repeats); a delivery with a bad signature gets 401."""

    url: str
    statuses: list[int]
    received: list[Received] = field(default_factory=list)


@contextmanager
def running_receiver(
    secret: bytes | None, statuses: list[int] | None = None, *, owner: str = OWNER
) -> Iterator[Receiver]:
    """`secret=None`: no signature check (transport tests)."""
    state = Receiver(url="", statuses=list(statuses or [200]))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                if secret is None:
                    raise SignatureError("not checked")
                verify(
                    secret,
                    body,
                    self.headers.get("X-Batchscore-Signature"),
                    self.headers.get("X-Batchscore-Timestamp"),
                    owner=owner,
                    delivery=self.headers.get("X-Batchscore-Delivery"),
                )
                verified = True
            except SignatureError:
                verified = False
            state.received.append(Received(dict(self.headers.items()), body, verified))
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            self.send_response(status if verified or secret is None else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest's output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/batchscore"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
