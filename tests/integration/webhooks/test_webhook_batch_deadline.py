"""One slow partner costs one delivery deadline, not the batch of the other partners."""

from __future__ import annotations

import time

import webhook_handler

from batchscore_core.models import Job, Webhook
from batchscore_core.store import JobStore
from batchscore_core.webhook_queue import WebhookQueue
from batchscore_core.webhooks import DELIVERY_DEADLINE_SECONDS, TOO_SLOW
from tests.integration.webhooks.test_webhook_transport import dripping_server
from tests.integration.webhooks.webhook_support import OWNER
from tests.jobs_support import finished_api_job

DRIP_LINES = 60  # one a second: a minute of answer


def finished_job(job_id: str, url: str) -> Job:
    return finished_api_job(job_id, OWNER, webhook=Webhook(url=url))


def test_a_dripping_partner_is_cut_at_its_deadline_and_the_others_are_delivered(
    stack, webhook_queue, webhook_function, receiver
):
    # Given a batch: one partner that drips its answer for a minute, then three prompt ones
    store = JobStore(stack.table_name)
    ids = [f"{i:032x}" for i in range(1, 5)]
    with dripping_server(interval=1.0, lines=DRIP_LINES) as slow_url:
        for job_id, url in zip(ids, [slow_url] + [receiver.url] * 3, strict=True):
            store.create(finished_job(job_id, url))
            WebhookQueue(webhook_queue.url).send(job_id)

        # When the function takes the four records in one invocation
        started = time.monotonic()
        response, count = stack.deliver(webhook_queue, webhook_handler.lambda_handler)
        took = time.monotonic() - started

    # Then the slow partner cost one deadline, not its minute of dripping (the bound is far from
    # both, so a loaded machine's overhead cannot decide it), and the others were delivered
    assert (response, count) == ({"batchItemFailures": []}, 4)
    assert DELIVERY_DEADLINE_SECONDS * 0.9 <= took < DRIP_LINES * 1.0 / 2
    slow = store.get(ids[0]).webhook
    assert (slow.delivered, slow.last_error) == (False, TOO_SLOW)
    assert all(store.get(job_id).webhook.delivered for job_id in ids[1:])


def test_records_that_no_longer_fit_in_the_invocation_go_back_to_the_queue_unsent(
    stack, webhook_queue, webhook_function, receiver
):
    # Given a record, and an invocation with less time left than one delivery needs
    store = JobStore(stack.table_name)
    store.create(finished_job("f" * 32, receiver.url))
    WebhookQueue(webhook_queue.url).send("f" * 32)

    # When
    response, count = stack.deliver(
        webhook_queue, webhook_handler.lambda_handler, remaining_ms=2_000
    )

    # Then it is reported failed (SQS gives it back), and no POST was started
    assert count == 1
    assert len(response["batchItemFailures"]) == 1
    assert receiver.received == []
    assert store.get("f" * 32).webhook.attempts == 0
