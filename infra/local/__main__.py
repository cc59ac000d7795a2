"""`python -m infra.local` (`make run`): the whole product on 127.0.0.1, no Docker."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from infra.local.errors import LocalRuntimeError
from infra.local.output import configure_logging, emit
from infra.local.runtime import LocalRuntime
from infra.local.settings import LocalSettings


def _parse_args(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local",
        description="Run batchscore locally: moto server, the template's resources and handlers.",
    )
    parser.add_argument("--host", help="loopback address to bind (BATCHSCORE_HOST)")
    parser.add_argument("--emulator-port", type=int, help="AWS emulator (BATCHSCORE_EMULATOR_PORT)")
    parser.add_argument("--api-port", type=int, help="HTTP API (BATCHSCORE_API_PORT)")
    parser.add_argument("--web-port", type=int, help="web page (BATCHSCORE_WEB_PORT)")
    parser.add_argument("--template", type=Path, help="SAM template (BATCHSCORE_TEMPLATE)")
    parser.add_argument("--web-dir", type=Path, help="static page (BATCHSCORE_WEB_DIR)")
    parser.add_argument("--state-dir", type=Path, help="state dir (BATCHSCORE_LOCAL_DIR)")
    parser.add_argument(
        "--concurrency", type=int, help="workers per function (BATCHSCORE_LOCAL_CONCURRENCY)"
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        help="override every queue's VisibilityTimeout (BATCHSCORE_LOCAL_VISIBILITY_TIMEOUT)",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter override, repeatable",
    )
    parser.add_argument("--debug", action="store_true", help="log every step")
    args = vars(parser.parse_args(argv))
    parameters = {}
    for item in args.pop("parameter"):
        name, separator, value = item.partition("=")
        if not separator:
            parser.error(f"--parameter {item!r}: expected NAME=VALUE")
        parameters[name] = value
    overrides = {key: value for key, value in args.items() if value is not None and key != "debug"}
    if parameters:
        overrides["parameters"] = parameters
    overrides["debug"] = args["debug"]
    return overrides


def main(argv: list[str] | None = None) -> int:
    options = _parse_args(sys.argv[1:] if argv is None else argv)
    configure_logging(logging.DEBUG if options.pop("debug") else logging.INFO)
    try:
        settings = LocalSettings(**options)
    except ValidationError as exc:
        emit(f"[runtime] invalid setting: {exc}", sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runtime = LocalRuntime(settings)
    try:
        elapsed = runtime.start()
    except LocalRuntimeError as exc:
        emit(f"[runtime] cannot start: {exc}", sys.stderr)
        runtime.stop()
        return 1
    emit(runtime.banner(elapsed))
    # A timed wait: a signal delivered to another thread runs its handler only when the main
    # thread wakes up.
    while not stop.wait(0.5):
        pass
    emit("[runtime] stopping...")
    runtime.stop()
    emit("[runtime] stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
