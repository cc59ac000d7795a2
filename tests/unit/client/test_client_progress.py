from __future__ import annotations

import io

from batchscore_client.progress import ProgressBar, describe, format_seconds
from batchscore_client.render import job_summary


def test_describe_shows_rows_done_of_total_with_a_bar():
    # Given
    job = {"status": "PROCESSING", "rows_done": 50, "rows_total": 200}

    # When
    text = describe(job)

    # Then
    assert "50/200 rows" in text
    assert "25%" in text


def test_describe_without_a_total_shows_rows_done_only():
    # Given
    job = {"status": "QUEUED", "rows_done": 0, "rows_total": None}

    # When
    text = describe(job)

    # Then
    assert text.split() == ["QUEUED", "0", "rows"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_line_shows_elapsed_time_rows_per_second_and_time_left():
    # Given a wait that saw the job queued, then processing 2,000 rows a second
    stream, clock = io.StringIO(), Clock()
    bar = ProgressBar(stream, clock=clock)
    bar.update({"status": "QUEUED", "rows_done": 0, "rows_total": None})
    clock.now += 1.5
    bar.update({"status": "PROCESSING", "rows_done": 1_000, "rows_total": 10_000})

    # When a poll a second later finds 2,000 more rows done
    clock.now += 1
    bar.update({"status": "PROCESSING", "rows_done": 3_000, "rows_total": 10_000})

    # Then each line has the time since the wait began, the last one also the pace and ETA
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("elapsed 0.0 s")
    assert lines[1].endswith("elapsed 1.5 s")
    assert lines[2].endswith("elapsed 2.5 s  2,000 rows/s  ETA 3.5 s")


def test_long_durations_read_in_minutes_and_hours():
    # Given / When / Then
    assert [format_seconds(s) for s in (4.25, 65, 7380)] == ["4.2 s", "1 min 05 s", "2 h 03 min"]


def test_a_summary_lists_the_warnings_and_says_how_many_there_are():
    # Given a job scored with 1,200 warnings, two of them listed
    warnings = [
        {"line": 3, "column": "mean radius", "message": "empty: imputed with the training median"},
        {"line": 5, "column": "mean area", "message": "-1e9 is below the training minimum 143.5"},
    ]
    job = {"status": "SUCCEEDED", "warnings": warnings, "warnings_total": 1_200}

    # When it is summarised
    text = job_summary(job)

    # Then the count and each listed warning are shown, with line and column
    assert "warnings 1,200 values scored with a warning (2 listed)" in text
    assert "  line 3, column 'mean radius': empty: imputed with the training median" in text
    assert "  line 5, column 'mean area': -1e9 is below the training minimum 143.5" in text


def test_a_summary_without_warnings_says_nothing_about_them():
    # Given / When / Then
    assert "warning" not in job_summary({"status": "SUCCEEDED", "warnings_total": 0})


def test_outside_a_terminal_only_changes_are_printed():
    # Given
    stream = io.StringIO()
    bar = ProgressBar(stream)
    job = {"status": "PROCESSING", "rows_done": 1, "rows_total": 2}

    # When
    bar.update(job)
    bar.update(job)
    bar.update({**job, "rows_done": 2})

    # Then
    assert len(stream.getvalue().splitlines()) == 2
