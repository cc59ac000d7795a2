"""The pipeline's steps as the tests drive them: an upload lands, UploadFunction ingests it,
ProcessFunction scores it."""

from __future__ import annotations

from collections.abc import Callable

import process_handler
import upload_handler

from batchscore_core.keys import upload_key
from batchscore_core.models import Job
from tests.integration.moto_stack import Stack
from tests.integration.pipeline.conftest import OWNER
from tests.integration.pipeline.samples import JOB_ID


def ingest(stack: Stack) -> None:
    stack.drain(stack.ingest_queue, upload_handler.lambda_handler)


def process(stack: Stack) -> int:
    return stack.drain(stack.jobs_queue, process_handler.lambda_handler, max_messages=1)


def upload_and_ingest(
    stack: Stack, waiting_job: Callable[..., Job], body: bytes, job_id: str = JOB_ID
) -> None:
    """The job created (AWAITING_UPLOAD), its CSV uploaded, and the upload ingested: QUEUED."""
    waiting_job(job_id)
    stack.put_object(upload_key(OWNER, job_id), body)
    ingest(stack)
