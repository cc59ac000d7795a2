"""One Lambda execution environment: import the handler once, then invoke it per request.

Runs as its own process (`python -P worker_main.py <request fd> <response fd>`) with only the
function's code and layers on sys.path, so it imports nothing from the repo by accident. It talks
to the runtime over two pipes, one JSON line per message; stdout and stderr stay the handler's.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes and method of Lambda's context object that handlers use."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = os.environ.get("BATCHSCORE_LOCAL_FUNCTION_ARN", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.aws_request_id = request_id
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


def _record_aws_calls() -> Any:
    """When the runtime asks for it, record the handler's AWS calls (aws_call_recorder.py)."""
    if not os.environ.get("BATCHSCORE_LOCAL_AWS_CALLS_FILE"):
        return None
    # Loaded by path: this process has only the function's code and layers on sys.path.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws_call_recorder.py")
    spec = importlib.util.spec_from_file_location("batchscore_aws_call_recorder", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install_from_environment()
    return module


def _load_handler(handler: str) -> Any:
    module_name, function_name = handler.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), function_name)


def main(request_fd: int, response_fd: int) -> None:
    requests = os.fdopen(request_fd, "r", encoding="utf-8")
    responses = os.fdopen(response_fd, "w", encoding="utf-8")

    def send(message: dict[str, Any]) -> None:
        responses.write(json.dumps(message) + "\n")
        responses.flush()

    init_error = None
    recorder = None
    try:
        recorder = _record_aws_calls()
        handler = _load_handler(os.environ["_HANDLER"])
    except Exception as exc:
        traceback.print_exc()
        init_error = _error(exc, "Runtime.ImportModuleError")
    send({"ready": init_error is None, "error": init_error})
    for line in requests:
        request = json.loads(line)
        if init_error is not None:
            send({"error": init_error})
            continue
        context = LambdaContext(request["request_id"], request["deadline_ms"])
        started = time.perf_counter()
        try:
            result = handler(request["event"], context)
            if recorder is not None:
                recorder.record_invocation((time.perf_counter() - started) * 1000)
            send({"result": result})
        except Exception as exc:
            # Lambda prints the error as JSON in the function's log; a traceback reads better.
            traceback.print_exc()
            send({"error": _error(exc)})
        finally:
            sys.stdout.flush()
            sys.stderr.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
