from __future__ import annotations

import json
import time

import pytest
import webhook_handler

from batchscore_core.models import Webhook
from batchscore_core.store import JobStore
from batchscore_core.webhook_queue import WebhookQueue
from tests.integration.moto_stack import Queue, Stack
from tests.jobs_support import finished_api_job

JOB_ID = "fedcba9876543210fedcba9876543210"


def store_finished_job(stack: Stack, url: str) -> JobStore:
    store = JobStore(stack.table_name)
    store.create(finished_api_job(JOB_ID, "partner-client", rows=2, webhook=Webhook(url=url)))
    return store


def deliver_next(stack: Stack, queue: Queue, within_seconds: float = 1.0) -> dict:
    """Wait for one message (a retry is delayed), then run WebhookFunction on it."""
    deadline = time.monotonic() + within_seconds
    while True:
        response, count = stack.deliver(queue, webhook_handler.lambda_handler, max_messages=1)
        if count:
            return response
        assert time.monotonic() < deadline, "no webhook message arrived"
        time.sleep(0.5)


@pytest.mark.slow
def test_a_failed_delivery_is_retried_after_the_backoff_and_recorded(
    stack, webhook_queue, webhook_function, receiver
):
    # Given a finished job whose partner answers 500 once, then 200
    store = store_finished_job(stack, receiver.url)
    receiver.statuses = [500, 200]
    WebhookQueue(webhook_queue.url).send(JOB_ID)

    # When the first attempt runs, then the retry after its 10 s delay
    first = deliver_next(stack, webhook_queue)
    after_first = store.get(JOB_ID).webhook
    second = deliver_next(stack, webhook_queue, within_seconds=20)

    # Then
    assert first == second == {"batchItemFailures": []}
    assert (after_first.delivered, after_first.last_status, after_first.attempts) == (False, 500, 1)
    webhook = store.get(JOB_ID).webhook
    assert (webhook.delivered, webhook.last_status, webhook.attempts) == (True, 200, 2)
    assert [r.verified for r in receiver.received] == [True, True]


def test_the_partner_receives_the_signed_public_job(
    stack, webhook_queue, webhook_function, receiver
):
    # Given
    store_finished_job(stack, receiver.url)
    WebhookQueue(webhook_queue.url).send(JOB_ID)

    # When
    deliver_next(stack, webhook_queue)

    # Then
    delivery = receiver.received[0]
    body = json.loads(delivery.body)
    assert delivery.verified
    assert (body["job_id"], body["status"]) == (JOB_ID, "SUCCEEDED")
    assert delivery.headers["X-Batchscore-Event"] == "Job Succeeded"
    assert len(delivery.headers["X-Batchscore-Delivery"]) == 32


def test_an_unreachable_partner_is_recorded_with_the_network_error(
    stack, webhook_queue, webhook_function
):
    # Given a URL where nothing listens (port 9, discard, is closed on loopback)
    store = store_finished_job(stack, "http://127.0.0.1:9/hooks")
    WebhookQueue(webhook_queue.url).send(JOB_ID)

    # When
    deliver_next(stack, webhook_queue)

    # Then
    webhook = store.get(JOB_ID).webhook
    assert (webhook.delivered, webhook.last_status, webhook.attempts) == (False, None, 1)
    assert webhook.last_error
