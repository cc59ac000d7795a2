"""Route dependencies that name the caller from the verified JWT claims and check its scope."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Request
from aws_lambda_powertools.event_handler.depends import Depends

from batchscore_core.identity import READ, WRITE, Caller, caller_from_event


def reader(request: Request) -> Caller:
    """A caller allowed to read its jobs (machine clients need `jobs/read`)."""
    caller = caller_from_event(request.resolved_event.raw_event)
    caller.require(READ)
    return caller


def writer(request: Request) -> Caller:
    """A caller allowed to change its jobs (machine clients need `jobs/write`)."""
    caller = caller_from_event(request.resolved_event.raw_event)
    caller.require(WRITE)
    return caller


ReadingCaller = Annotated[Caller, Depends(reader)]
WritingCaller = Annotated[Caller, Depends(writer)]
