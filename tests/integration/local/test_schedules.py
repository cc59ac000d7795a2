"""The template's EventBridge Scheduler schedules, run by the local runtime against a moto server."""

from __future__ import annotations

import json
import threading
import time

from infra.local.emulator import Emulator
from infra.local.provision import provision
from infra.local.schedules import rate_seconds, schedule_runners
from tests.integration.local.conftest import REAL_TEMPLATE, load_stack


def test_rates_are_read_as_aws_writes_them() -> None:
    assert rate_seconds("rate(7 days)") == 7 * 86400
    assert rate_seconds("rate(1 hour)") == 3600
    assert rate_seconds("cron(0 3 ? * MON *)") is None


def test_each_model_schedule_sends_its_start_message_to_the_training_queue(
    emulator: Emulator,
) -> None:
    # Given the real template provisioned, and schedules made to fire every 0.2 s
    stack = load_stack(REAL_TEMPLATE)
    provision(stack, emulator.client, "http://127.0.0.1:3000")
    sqs = emulator.client("sqs")
    runners = schedule_runners(stack, sqs, override_seconds=0.2)
    stop = threading.Event()
    threads = [threading.Thread(target=runner.run, args=(stop,)) for runner in runners]

    # When they run for a while
    for thread in threads:
        thread.start()
    queue_url = stack.resolver.ref("TrainingQueue")
    models: set[str] = set()
    deadline = time.monotonic() + 10
    while models != {"breast-cancer", "diabetes"} and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            body = json.loads(message["Body"])
            assert body["trigger"] == "schedule"
            models.add(body["model"])
    stop.set()
    for thread in threads:
        thread.join(timeout=5)

    # Then each model's schedule fired, with the template's Input
    assert models == {"breast-cancer", "diabetes"}


def test_without_the_override_a_schedule_keeps_its_weekly_rate(emulator: Emulator) -> None:
    stack = load_stack(REAL_TEMPLATE)
    provision(stack, emulator.client, "http://127.0.0.1:3000")

    runners = schedule_runners(stack, emulator.client("sqs"), override_seconds=None)

    assert sorted(r.schedule.logical_id for r in runners) == [
        "BreastCancerRetrainSchedule",
        "DiabetesRetrainSchedule",
    ]
    assert {runner.interval for runner in runners} == {7 * 86400}
