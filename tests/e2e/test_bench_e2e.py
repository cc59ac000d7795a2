"""`make bench-e2e`'s driver at its smallest size, against the session's local runtime."""

from __future__ import annotations

import pytest

from bench.e2e import run_bench
from tests.e2e.bench_support import bench_stack
from tests.e2e.e2e_support import new_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_thousand_row_job_is_timed_through_every_stage(local_stack, tmp_path):
    # Given the stack, and a person of its own
    stack = bench_stack(local_stack)

    # When one 1,000-row job goes through upload, ingest, queue, scoring and finish
    (result,) = run_bench(stack, [1_000], tmp_path, token=new_user(local_stack).token)
    print("\n" + result.report() + "\n" + result.machine_line())

    # Then every stage was measured from the job's own timestamps, none negative
    stages = result.split.stages()
    assert list(stages) == ["upload", "ingest", "queue", "score", "finish"]
    assert all(seconds >= 0 for seconds in stages.values()), stages
    assert result.split.total_s == pytest.approx(sum(stages.values()))
    assert result.rows_scored == 1_000
    assert result.rows_per_s > 0
    assert result.xlsx_bytes > 0
    assert result.machine_line().startswith("size=1000 total_s=")
