from __future__ import annotations

import pytest

from batchscore_core.webhooks import MAX_ATTEMPTS, backoff_seconds


@pytest.mark.parametrize(
    ("failed_attempt", "wait"), [(1, 10), (2, 30), (3, 120), (4, 600), (5, 1800)]
)
def test_backoff_grows_after_each_failed_attempt(failed_attempt, wait):
    # Given an attempt that failed

    # When
    seconds = backoff_seconds(failed_attempt)

    # Then
    assert seconds == wait


def test_backoff_gives_up_after_the_last_attempt():
    # Given the last allowed attempt failed

    # When
    seconds = backoff_seconds(MAX_ATTEMPTS)

    # Then
    assert seconds is None
