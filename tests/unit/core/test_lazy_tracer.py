"""The Tracer is built at the first invocation: a handler's import needs no X-Ray SDK."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from batchscore_core.observability import LazyTracer

ROOT = Path(__file__).resolve().parents[3]
UPLOAD_PATH = ["functions/upload", "layers/core", "layers/model"]


def test_importing_a_handler_does_not_import_the_xray_sdk() -> None:
    # Given a fresh interpreter with the upload function's code and layers on the path
    code = "import sys, upload_handler; print('aws_xray_sdk' in sys.modules)"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / path) for path in UPLOAD_PATH),
        "AWS_DEFAULT_REGION": "us-east-1",
    }

    # When the handler module is imported
    done = subprocess.run(
        [sys.executable, "-P", "-c", code], env=env, capture_output=True, text=True, check=True
    )

    # Then the X-Ray SDK is not loaded yet
    assert done.stdout.strip() == "False"


def test_the_first_invocation_builds_the_tracer_and_traces_every_call() -> None:
    # Given a handler decorated with a lazy tracer whose real tracer records what it wraps
    wrapped: list[dict[str, Any]] = []

    class Recording:
        def capture_lambda_handler(self, handler: Any, **options: Any) -> Any:
            wrapped.append(options)
            return lambda event, context: ("traced", handler(event, context))

    lazy = LazyTracer()
    lazy._tracer = Recording()

    @lazy.capture_lambda_handler(capture_response=False)
    def handler(event: Any, context: Any) -> str:
        return f"{event}-{context}"

    # When it is invoked twice
    first, second = handler("e", "c"), handler("f", "d")

    # Then both calls went through the tracer, wrapped once with the options given
    assert (first, second) == (("traced", "e-c"), ("traced", "f-d"))
    assert wrapped == [{"capture_response": False, "capture_error": None}]
    assert handler.__name__ == "handler"
