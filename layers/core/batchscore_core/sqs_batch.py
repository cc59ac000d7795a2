"""The answer an SQS-triggered function gives: which records failed (ReportBatchItemFailures)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext


def partial_batch_response(
    event: dict[str, Any],
    context: LambdaContext,
    processor: BatchProcessor,
    record_handler: Callable[..., Any],
) -> dict[str, Any]:
    """Each record handled on its own; a record that raised is retried, the others are not."""
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
