"""One Logger, Tracer and Metrics for every function (service name and namespace from the env).

The Tracer is created at its first use, the first invocation, not at import: building it
imports the X-Ray SDK (about as long as `import boto3`), which nothing in a function's init
needs. Tracing itself is unchanged: the handler is traced from its first invocation on.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

# Routes and records that record no metric are normal here, not worth a warning in every log.
warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)


class LazyTracer:
    """Powertools' Tracer, built on first use; `capture_lambda_handler` as Tracer's."""

    def __init__(self) -> None:
        self._tracer: Any = None

    @property
    def real(self) -> Any:
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer()
        return self._tracer

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Any:
        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            traced: Callable[..., Any] | None = None

            @functools.wraps(handler)
            def wrapper(event: Any, context: Any) -> Any:
                nonlocal traced
                if traced is None:
                    traced = self.real.capture_lambda_handler(
                        handler, capture_response=capture_response, capture_error=capture_error
                    )
                return traced(event, context)

            return wrapper

        return decorate(lambda_handler) if lambda_handler is not None else decorate

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


logger = Logger()
tracer = LazyTracer()
metrics = Metrics()
