from __future__ import annotations

import io

from batchscore_client.progress import ProgressBar, describe


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
