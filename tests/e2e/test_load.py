"""A burst: 50 jobs submitted at once all finish, none lost, none duplicated."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.e2e_support import (
    FINAL_STATES,
    feature_csv,
    new_user,
    poll,
    read_sheets,
)

pytestmark = pytest.mark.e2e

JOBS = 50
SUBMITTERS = 10
BURST_TIMEOUT_SECONDS = 180  # well under pytest-timeout's 300 s, so the log tail shows
SAMPLE = 5


def rows_of(index: int) -> int:
    """40 to 59 rows: each job's count differs from its neighbours', so a mix-up shows."""
    return 40 + index % 20


@pytest.mark.slow
def test_fifty_jobs_submitted_at_once_all_succeed_once_each(local_stack):
    # Given a user of their own, so that GET /jobs lists only this burst
    user = new_user(local_stack)
    expected_rows = {f"burst-{i:02d}.csv": rows_of(i) for i in range(JOBS)}

    def submit(filename: str) -> str:
        index = int(filename[6:8])
        return user.submit(feature_csv(expected_rows[filename], start=index * 7), filename)

    # When 50 jobs are created and uploaded by 10 concurrent clients
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=SUBMITTERS) as pool:
        submitted = dict(zip(pool.map(submit, expected_rows), expected_rows, strict=True))
    jobs = poll(
        user.all_jobs,
        lambda items: len(items) >= JOBS and all(j["status"] in FINAL_STATES for j in items),
        what=f"{JOBS} jobs reaching a final state",
        stack=local_stack,
        timeout=BURST_TIMEOUT_SECONDS,
    )
    wall = time.monotonic() - started
    print(f"\n{JOBS} jobs submitted by {SUBMITTERS} clients, all final in {wall:.1f} s")

    # Then exactly the 50 submitted jobs, each succeeded with its own row count
    assert len(submitted) == JOBS
    assert sorted(job["job_id"] for job in jobs) == sorted(submitted), jobs
    not_succeeded = [job for job in jobs if job["status"] != "SUCCEEDED"]
    assert not not_succeeded, not_succeeded
    counts = {job["filename"]: (job["rows_total"], job["rows_done"]) for job in jobs}
    assert counts == {name: (rows, rows) for name, rows in expected_rows.items()}
    for job_id in sorted(submitted)[:: JOBS // SAMPLE]:
        predictions = next(iter(read_sheets(user.result(job_id)).values()))
        assert len(predictions) - 1 == expected_rows[submitted[job_id]], job_id
