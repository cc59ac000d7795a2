"""The local API under a burst of connections: every one answered, none refused or reset."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.e2e_support import HTTP_TIMEOUT_SECONDS, new_user

pytestmark = pytest.mark.e2e

CONCURRENT = 64


def test_sixty_four_concurrent_post_jobs_on_fresh_connections_are_all_answered(local_stack):
    # Given a user and 64 clients, each with its own new connection, released at once
    user = new_user(local_stack)
    start = threading.Barrier(CONCURRENT, timeout=30)
    headers = {"Authorization": f"Bearer {user.token}", "Connection": "close"}

    def create(index: int) -> int | str:
        start.wait()
        try:
            answer = requests.post(
                f"{local_stack.api_url}/jobs",
                json={"filename": f"burst-{index:02d}.csv"},
                headers=headers,
                timeout=HTTP_TIMEOUT_SECONDS,
            )
        except requests.ConnectionError as exc:  # refused or reset: what the finding saw
            return f"connection lost: {exc}"
        return answer.status_code

    # When
    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        outcomes = list(pool.map(create, range(CONCURRENT)))

    # Then every connection got an answer, and every answer created a job
    assert outcomes == [201] * CONCURRENT
    assert len(user.all_jobs()) == CONCURRENT
