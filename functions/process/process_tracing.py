"""X-Ray subsegments around a job's stages: score (read, predict, write inside it) and upload.

The engine streams: reading, predicting and writing alternate chunk by chunk, so their spans
cannot be timed one after another. `score` covers all three; inside it, `read`, `predict` and
`write` are recorded back to back with the time the engine spent in each (ScoreSummary.timings),
marked `cumulative` in their metadata. Without an active segment (locally, in tests) the SDK
hands out dummy subsegments and nothing is sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

# The engine's names for its stages -> the subsegments' names.
ENGINE_STAGES = {"read_and_check": "read", "predict": "predict", "write": "write"}


def _recorder() -> Any:
    from aws_xray_sdk.core import xray_recorder  # imported by Powertools' Tracer already

    return xray_recorder


@contextmanager
def stage(name: str, job_id: str, recorder: Any = None) -> Iterator[Any]:
    """A subsegment `name` around the block, annotated with the job id."""
    recorder = recorder or _recorder()
    subsegment = recorder.begin_subsegment(name)
    try:
        if subsegment is not None:
            subsegment.put_annotation("job_id", job_id)
        yield subsegment
    finally:
        recorder.end_subsegment()


def record_engine_stages(
    timings: Mapping[str, float], started: float, job_id: str, recorder: Any = None
) -> None:
    """`read`, `predict`, `write` from `started` (epoch s) on, each as long as the engine spent."""
    recorder = recorder or _recorder()
    at = started
    for key, name in ENGINE_STAGES.items():
        seconds = float(timings.get(key, 0.0))
        subsegment = recorder.begin_subsegment(name)
        if subsegment is not None:
            subsegment.start_time = at
            subsegment.put_annotation("job_id", job_id)
            subsegment.put_metadata("seconds", seconds)
            subsegment.put_metadata("cumulative", True)
        at += seconds
        recorder.end_subsegment(end_time=at)


def now() -> float:
    return time.time()
