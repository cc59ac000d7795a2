from __future__ import annotations

import json

from batchscore_core.webhook_queue import WebhookQueue


class RecordingSqs:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send_message(self, **kwargs):
        self.sent.append(kwargs)
        return {"MessageId": "m1"}


def test_send_puts_job_id_and_attempt_in_the_body():
    # Given
    sqs = RecordingSqs()

    # When
    WebhookQueue("https://queue", client=sqs).send("j1", 2, delay_seconds=30)

    # Then
    assert json.loads(sqs.sent[0]["MessageBody"]) == {"job_id": "j1", "attempt": 2}
    assert sqs.sent[0]["DelaySeconds"] == 30


def test_a_wait_longer_than_sqs_allows_is_chained_with_not_before():
    # Given
    sqs = RecordingSqs()

    # When
    WebhookQueue("https://queue", client=sqs).send("j1", 5, delay_seconds=1800, now=1000)

    # Then
    assert json.loads(sqs.sent[0]["MessageBody"])["not_before"] == 2800
    assert sqs.sent[0]["DelaySeconds"] == 900
