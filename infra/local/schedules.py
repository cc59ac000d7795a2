"""The template's EventBridge Scheduler schedules, run as AWS runs them: each one sends its
target's `Input` at its rate. Locally only SQS targets (the retraining schedules') are sent.

`BATCHSCORE_SCHEDULE_SECONDS` makes every schedule fire that often (tests and demos); otherwise
a `rate(N unit)` schedule fires every N units after the runtime starts (the first time after one
period, as a new rate schedule does) and a `cron(...)` one is not run locally.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.template import StackTemplate

log = logging.getLogger("infra.local")

SCHEDULE_TYPE = "AWS::Scheduler::Schedule"
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    logical_id: str
    expression: str
    queue_arn: str
    message: str


def rate_seconds(expression: str) -> float | None:
    """Seconds between two firings of `rate(N unit)`; None for anything else (cron, at)."""
    match = _RATE.match(expression.strip())
    if match is None:
        return None
    return int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")]


def read_schedules(stack: StackTemplate) -> list[Schedule]:
    """The template's schedules whose target is an SQS queue (resolve after provisioning)."""
    schedules = []
    for resource in stack.resources():
        if resource.type != SCHEDULE_TYPE:
            continue
        props = stack.resolver.resolve(resource.properties)
        if str(props.get("State", "ENABLED")).upper() == "DISABLED":
            continue
        target = props.get("Target") or {}
        arn = str(target.get("Arn", ""))
        if ":sqs:" not in arn:
            log.info("skip schedule %s: only SQS targets run locally", resource.logical_id)
            continue
        schedules.append(
            Schedule(
                logical_id=resource.logical_id,
                expression=str(props.get("ScheduleExpression", "")),
                queue_arn=arn,
                message=str(target.get("Input") or "{}"),
            )
        )
    return schedules


class ScheduleRunner:
    def __init__(self, schedule: Schedule, sqs: Any, interval: float) -> None:
        self.schedule = schedule
        self.interval = interval
        self._sqs = sqs
        self._url: str | None = None

    def fire(self) -> None:
        if self._url is None:
            name = self.schedule.queue_arn.rsplit(":", 1)[-1]
            self._url = str(self._sqs.get_queue_url(QueueName=name)["QueueUrl"])
        self._sqs.send_message(QueueUrl=self._url, MessageBody=self.schedule.message)
        log.info("schedule %s fired", self.schedule.logical_id)

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            try:
                self.fire()
            except (BotoCoreError, ClientError) as exc:
                if stop.is_set():
                    return
                log.warning("schedule %s failed to fire: %s", self.schedule.logical_id, exc)


def schedule_runners(
    stack: StackTemplate, sqs: Any, override_seconds: float | None
) -> list[ScheduleRunner]:
    runners = []
    for schedule in read_schedules(stack):
        interval = override_seconds or rate_seconds(schedule.expression)
        if interval is None:
            log.info(
                "skip schedule %s: %s is not run locally (set BATCHSCORE_SCHEDULE_SECONDS)",
                schedule.logical_id,
                schedule.expression,
            )
            continue
        runners.append(ScheduleRunner(schedule, sqs, interval))
    return runners
