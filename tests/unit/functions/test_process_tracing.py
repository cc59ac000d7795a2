"""ProcessFunction's trace: `score` with `read`, `predict`, `write` inside it, and `upload`."""

from __future__ import annotations

from typing import Any

import pytest
from process_tracing import record_engine_stages, stage


class FakeSubsegment:
    def __init__(self, name: str, start_time: float) -> None:
        self.name = name
        self.start_time = start_time
        self.end_time: float | None = None
        self.annotations: dict[str, Any] = {}
        self.metadata: dict[str, Any] = {}

    def put_annotation(self, key: str, value: Any) -> None:
        self.annotations[key] = value

    def put_metadata(self, key: str, value: Any) -> None:
        self.metadata[key] = value


class FakeRecorder:
    """Records subsegments as the X-Ray SDK's recorder would make them."""

    def __init__(self) -> None:
        self.open: list[FakeSubsegment] = []
        self.closed: list[FakeSubsegment] = []
        self.clock = 1000.0

    def begin_subsegment(self, name: str) -> FakeSubsegment:
        subsegment = FakeSubsegment(name, self.clock)
        self.open.append(subsegment)
        return subsegment

    def end_subsegment(self, end_time: float | None = None) -> None:
        subsegment = self.open.pop()
        subsegment.end_time = self.clock if end_time is None else end_time
        self.closed.append(subsegment)


def test_engine_stages_follow_each_other_with_the_engines_times() -> None:
    # Given the engine's timings of a job
    recorder = FakeRecorder()
    timings = {"read_and_check": 1.5, "predict": 0.5, "write": 2.0, "total": 4.1}

    # When they are recorded from t=10
    record_engine_stages(timings, 10.0, "job-1", recorder)

    # Then read, predict, write, back to back, each as long as measured, with the job id
    spans = [(s.name, s.start_time, s.end_time) for s in recorder.closed]
    assert [name for name, _, _ in spans] == ["read", "predict", "write"]
    assert [end - start for _, start, end in spans] == pytest.approx([1.5, 0.5, 2.0])
    assert spans[1][1] == pytest.approx(spans[0][2])
    assert {s.annotations["job_id"] for s in recorder.closed} == {"job-1"}


def test_a_stage_is_closed_even_when_its_block_fails() -> None:
    # Given an upload that fails
    recorder = FakeRecorder()

    # When
    with pytest.raises(OSError), stage("upload", "job-2", recorder):
        raise OSError("network")

    # Then its subsegment was ended, annotated
    assert [(s.name, s.annotations) for s in recorder.closed] == [("upload", {"job_id": "job-2"})]
    assert not recorder.open
