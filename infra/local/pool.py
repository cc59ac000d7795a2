"""Worker processes per function, as Lambda keeps warm execution environments."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra.local.errors import HandlerError
from infra.local.functions import FunctionSpec
from infra.local.output import pump_prefixed

log = logging.getLogger("infra.local")

WORKER_SCRIPT = Path(__file__).with_name("worker_main.py")
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
_COLD_START_SECONDS = 120.0


def worker_environment(
    spec: FunctionSpec, aws_env: dict[str, str], local_env: dict[str, str] | None = None
) -> dict[str, str]:
    """A fresh environment as Lambda builds it: the template's variables plus the runtime's.

    `local_env` holds local-only handler settings (`LocalSettings.local_only_environment`).
    """
    base = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    path = [str(spec.code_dir), *(str(layer) for layer in spec.layer_dirs)]
    return {
        **base,
        "POWERTOOLS_TRACE_DISABLED": "true",
        **spec.environment,
        **(local_env or {}),
        **aws_env,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_SAM_LOCAL": "true",
        "BATCHSCORE_LOCAL_FUNCTION_ARN": spec.arn,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        "PYTHONPATH": os.pathsep.join(path),
        "PYTHONUNBUFFERED": "1",
        "TZ": "UTC",  # as in Lambda
    }


class Worker:
    """One process that imported the handler and serves one invocation at a time."""

    def __init__(self, spec: FunctionSpec, env: dict[str, str]) -> None:
        self.spec = spec
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-P", str(WORKER_SCRIPT), str(request_read), str(response_write)],
            env=env,
            cwd=spec.code_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(request_read, response_write),
            start_new_session=True,  # Ctrl-C reaches the runtime, which stops workers itself
        )
        os.close(request_read)
        os.close(response_write)
        self._requests = os.fdopen(request_write, "w", encoding="utf-8")
        self._responses = response_read
        self._buffer = b""
        for stream in (self.process.stdout, self.process.stderr):
            assert stream is not None
            threading.Thread(
                target=pump_prefixed, args=(stream, spec.logical_id), daemon=True
            ).start()
        self.init_ok = False
        self._closed = False
        self._spawned_at = time.monotonic()

    def wait_ready(self, *, on_demand: bool = False) -> None:
        """`on_demand`: started after the runtime's banner, so its readiness is a debug line."""
        message = self._read_message(_COLD_START_SECONDS)
        self.init_ok = bool(message and message.get("ready"))
        if message is None:
            log.error(
                "%s: worker did not start within %.0f s; see its output above",
                self.spec.logical_id,
                _COLD_START_SECONDS,
            )
        elif not self.init_ok:
            error = message.get("error") or {}
            log.error(
                "%s: cannot import %s: %s (invocations will fail until it is fixed)",
                self.spec.logical_id,
                self.spec.handler,
                error.get("errorMessage"),
            )
        else:
            cold_start = time.monotonic() - self._spawned_at
            log.log(
                logging.DEBUG if on_demand else logging.INFO,
                "%s: worker ready (cold start %.1f s%s)",
                self.spec.logical_id,
                cold_start,
                ", on demand" if on_demand else "",
            )

    def invoke(self, event: Any) -> Any:
        request_id = str(uuid.uuid4())
        deadline_ms = int(time.time() * 1000) + self.spec.timeout_seconds * 1000
        request = {"event": event, "request_id": request_id, "deadline_ms": deadline_ms}
        try:
            self._requests.write(json.dumps(request) + "\n")
            self._requests.flush()
        except (BrokenPipeError, OSError) as exc:
            raise HandlerError(self.spec.logical_id, "Runtime.ExitError", str(exc)) from exc
        message = self._read_message(self.spec.timeout_seconds + 1.0)
        if message is None:
            if self.alive:
                self.stop()
                raise HandlerError(
                    self.spec.logical_id,
                    "Sandbox.Timedout",
                    f"Task timed out after {self.spec.timeout_seconds} seconds",
                )
            raise HandlerError(
                self.spec.logical_id, "Runtime.ExitError", "the worker process exited"
            )
        if "error" in message:
            error = message["error"]
            raise HandlerError(self.spec.logical_id, error["errorType"], error["errorMessage"])
        return message.get("result")

    def _read_message(self, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([self._responses], [], [], remaining)
            if not readable:
                return None
            chunk = os.read(self._responses, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, Any] = json.loads(line)
        return message

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._closed:
            self._closed = True
            with contextlib.suppress(OSError):
                self._requests.close()
            with contextlib.suppress(OSError):
                os.close(self._responses)


class FunctionPool:
    """Warm workers of one function, as Lambda scales execution environments.

    One worker starts with the runtime; more start on demand (a cold start, as in Lambda) up
    to `concurrency`. A worker that dies or times out is replaced.
    """

    def __init__(self, spec: FunctionSpec, env: dict[str, str], concurrency: int) -> None:
        self.spec = spec
        self._env = env
        self._concurrency = concurrency
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._first = self._add_worker()

    def _add_worker(self) -> Worker:
        worker = Worker(self.spec, self._env)
        with self._lock:
            self._all.append(worker)
        return worker

    def start(self) -> None:
        """Wait for the first worker's cold start (imports) to finish."""
        self._first.wait_ready()
        self._idle.put(self._first)

    def invoke(self, event: Any) -> Any:
        with self.lease() as worker:
            return worker.invoke(event)

    @contextlib.contextmanager
    def lease(self) -> Iterator[Worker]:
        """A worker for the caller alone; pollers take one before receiving, as Lambda does,
        so no message waits for a worker while its visibility timeout runs."""
        worker = self._acquire()
        try:
            yield worker
        finally:
            if worker.alive or self._stopped:
                self._idle.put(worker)
            else:
                self._replace(worker)

    def _acquire(self) -> Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grown = None
            if len(self._all) < self._concurrency and not self._stopped:
                grown = Worker(self.spec, self._env)
                self._all.append(grown)
        if grown is None:
            return self._idle.get()
        grown.wait_ready(on_demand=True)
        return grown

    def _replace(self, dead: Worker) -> None:
        log.warning("%s: a worker died; starting a new one", self.spec.logical_id)
        dead.stop()
        with self._lock:
            self._all.remove(dead)
        fresh = self._add_worker()
        fresh.wait_ready()
        self._idle.put(fresh)

    def stop(self) -> None:
        self._stopped = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.stop()
