"""`make loadtest`'s driver at a smaller count, against the session's local runtime."""

from __future__ import annotations

import pytest

from bench.loadtest import run_load
from tests.e2e.bench_support import bench_stack
from tests.e2e.e2e_support import new_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JOBS = 100


def test_a_hundred_jobs_over_api_web_and_drop_folder_all_end_once_each(local_stack):
    # Given the stack, and a person of its own (the per-owner cap is 100 unfinished jobs)
    stack = bench_stack(local_stack)

    # When 100 jobs are submitted at once, a third through each channel
    report = run_load(
        stack, JOBS, submitters=16, timeout=240, web_token=new_user(local_stack).token
    )
    print("\n" + report.summary())

    # Then every one ended SUCCEEDED, once, with one result, none lost
    assert report.problems == []
    assert report.jobs == JOBS
    assert report.by_status == {"SUCCEEDED": JOBS}
    assert set(report.by_channel) == {"api", "web", "dropbox"}
    assert len(report.latencies) == JOBS
