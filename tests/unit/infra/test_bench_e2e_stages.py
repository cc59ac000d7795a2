"""`make bench-e2e`'s split of a job's time into stages, from the job item's timestamps."""

from __future__ import annotations

import pytest

from bench.e2e import SizeResult, StageMissing, epoch, parse_sizes, stage_split

JOB = {
    "job_id": "a" * 32,
    "status": "SUCCEEDED",
    "created_at": "2026-12-01T10:00:00.000Z",
    "queued_at": "2026-12-01T10:00:03.250Z",
    "started_at": "2026-12-01T10:00:04.000Z",
    "scored_at": "2026-12-01T10:00:10.500Z",
    "finished_at": "2026-12-01T10:00:12.000Z",
}


def test_each_stage_runs_from_one_boundary_to_the_next():
    # Given a job whose upload ran from 1.0 s to 3.0 s after its creation
    created = epoch(JOB["created_at"])

    # When its time is split
    split = stage_split(JOB, upload_started=created + 1.0, uploaded=created + 3.0)

    # Then each stage is the gap between its boundaries, and they add up to the whole
    assert split.upload_s == pytest.approx(2.0)
    assert split.ingest_s == pytest.approx(0.25)
    assert split.queue_s == pytest.approx(0.75)
    assert split.score_s == pytest.approx(6.5)
    assert split.finish_s == pytest.approx(1.5)
    assert split.total_s == pytest.approx(11.0)
    assert list(split.stages()) == ["upload", "ingest", "queue", "score", "finish"]


def test_an_answer_seen_after_the_admission_ends_the_upload_at_the_admission():
    # Given a client that saw the upload's answer 0.5 s after the job was already QUEUED
    queued = epoch(JOB["queued_at"])

    # When
    split = stage_split(JOB, upload_started=queued - 2.0, uploaded=queued + 0.5)

    # Then the object was written by the admission at the latest: no negative ingest
    assert split.upload_s == pytest.approx(2.0)
    assert split.ingest_s == 0


def test_a_job_without_a_boundary_is_named_not_guessed():
    # Given a job stored before `scored_at` was recorded
    old = {key: value for key, value in JOB.items() if key != "scored_at"}

    # When / Then
    with pytest.raises(StageMissing, match="scored_at"):
        stage_split(old, upload_started=0.0, uploaded=0.0)


def test_the_machine_line_has_every_stage_and_the_rate():
    # Given a 13,000-row job scored in 6.5 s
    created = epoch(JOB["created_at"])
    split = stage_split(JOB, upload_started=created + 1.0, uploaded=created + 3.0)
    result = SizeResult(
        rows=13_000, csv_bytes=2_800_000, split=split, rows_scored=13_000, xlsx_bytes=2_100_000
    )

    # When
    fields = dict(part.split("=") for part in result.machine_line().split())

    # Then
    assert list(fields) == [
        "size",
        "total_s",
        "upload_s",
        "ingest_s",
        "queue_s",
        "score_s",
        "finish_s",
        "rows_per_s",
        "xlsx_mb",
    ]
    assert fields["size"] == "13000"
    assert float(fields["score_s"]) == pytest.approx(6.5)
    assert float(fields["rows_per_s"]) == pytest.approx(2000, abs=1)
    assert float(fields["xlsx_mb"]) == pytest.approx(2.1)


def test_sizes_take_k_and_m():
    assert parse_sizes("1000, 100k,1M") == [1_000, 100_000, 1_000_000]
