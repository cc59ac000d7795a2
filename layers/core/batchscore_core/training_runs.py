"""Retraining runs and the per-model training lock, in the registry's table (ModelsTable).

Under the model's name: one item per run (`RUN#<run_id>`; run ids sort by start time) and one
lock item (`TRAINLOCK`). A run starts with one transaction that takes the lock (absent, or its
lease ran out) and writes the run as RUNNING: of two triggers at once, one starts a run and the
other is told which run holds the model (RunInProgress). Every later write of a run is
conditioned on it still being RUNNING, so a run reaches exactly one final state; a run whose
lease ran out (its function crashed or timed out) is marked FAILED by whoever sees it next.
"""

from __future__ import annotations

import time
import uuid
from enum import StrEnum
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from batchscore_core.models import ErrorDetail, iso, utc_now
from batchscore_core.registry import _from_dynamo, _plain, _to_dynamo
from batchscore_core.registry_models import RegistryError

RUN = "RUN#"
LOCK = "TRAINLOCK"
_CONDITION_FAILED = "ConditionalCheckFailedException"


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    PROMOTED = "PROMOTED"
    KEPT_CHAMPION = "KEPT_CHAMPION"
    FAILED = "FAILED"


FINAL = (RunStatus.PROMOTED, RunStatus.KEPT_CHAMPION, RunStatus.FAILED)


def _no_metrics() -> dict[str, dict[str, float]]:
    return {"candidate": {}, "champion": {}}


class TrainingRun(BaseModel):
    """One run; `public()` is the body of GET /models/{name}/runs/{run_id} (DESIGN.md)."""

    run_id: str
    model: str
    trigger: str
    by: str = ""
    status: RunStatus = RunStatus.RUNNING
    started_at: str
    ended_at: str | None = None
    rows: dict[str, int] = Field(default_factory=lambda: {"train": 0, "holdout": 0})
    candidate_version: str | None = None
    champion_version: str | None = None
    metrics: dict[str, dict[str, float]] = Field(default_factory=lambda: _no_metrics())
    gate: dict[str, Any] = Field(default_factory=lambda: {"passed": False, "checks": []})
    error: dict[str, Any] | None = None
    lease_until: int = 0  # epoch s: after it, a RUNNING run is taken to have crashed
    seconds: float | None = None  # how long fitting took (not in the API)
    files: list[str] = Field(default_factory=list)  # chosen file ids; empty: the window
    claimed_by: str | None = None  # the execution training it (see TrainingRuns.claim)

    def public(self) -> dict[str, Any]:
        return self.model_dump(
            mode="json", exclude={"by", "lease_until", "seconds", "files", "claimed_by"}
        )

    @property
    def lease_expired(self) -> bool:
        return self.status is RunStatus.RUNNING and self.lease_until < int(time.time())


def new_run_id() -> str:
    """Sortable by start time, unique: `20261201T133000Z-1a2b3c4d`."""
    return f"{utc_now():%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:8]}"


class RunInProgress(RegistryError):
    """Another run of the model holds its training lock."""

    code = "run_in_progress"
    status = 409

    def __init__(self, model: str, run_id: str) -> None:
        super().__init__(f"{model} is being retrained by run {run_id}: wait for it to end")
        self.model = model
        self.run_id = run_id
        self.details = [ErrorDetail(column="run_id", message=run_id)]


class RunNotFound(RegistryError):
    code = "run_not_found"

    def __init__(self, model: str, run_id: str) -> None:
        super().__init__(f"model {model!r} has no run {run_id!r}")


class TrainingRuns:
    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._resource: Any = resource or boto3.resource("dynamodb")
        self._table: Any = self._resource.Table(table_name)
        self.table_name = table_name

    # ---------------------------------------------------------------- start

    def start(
        self,
        model: str,
        trigger: str,
        by: str,
        *,
        lease_seconds: int,
        files: list[str] | None = None,
    ) -> TrainingRun:
        """A RUNNING run holding the model's lock; RunInProgress when another run holds it."""
        now = int(time.time())
        held = self._get(model, LOCK)
        if held is not None and int(held.get("lease_until", 0)) >= now:
            raise RunInProgress(model, str(held["run_id"]))
        run = TrainingRun(
            run_id=new_run_id(),
            model=model,
            trigger=trigger,
            by=by,
            started_at=iso(utc_now()),
            lease_until=now + lease_seconds,
            files=files or [],
        )
        lock: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": {
                "name": model,
                "sk": LOCK,
                "run_id": run.run_id,
                "lease_until": run.lease_until,
            },
        }
        if held is None:
            lock["ConditionExpression"] = "attribute_not_exists(sk)"
        else:  # take over an expired lease, and only the one read (not a newer holder's)
            lock["ConditionExpression"] = "run_id = :seen AND lease_until < :now"
            lock["ExpressionAttributeValues"] = {":seen": held["run_id"], ":now": now}
        try:
            self._resource.meta.client.transact_write_items(
                TransactItems=[{"Put": lock}, self._put_new(run)]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            current = self._get(model, LOCK)
            raise RunInProgress(model, str((current or {}).get("run_id", "?"))) from exc
        if held is not None:
            self.expire(model, str(held["run_id"]))
        return run

    # ---------------------------------------------------------------- reads

    def get(self, model: str, run_id: str) -> TrainingRun:
        item = self._get(model, RUN + run_id)
        if item is None:
            raise RunNotFound(model, run_id)
        return TrainingRun.model_validate(item)

    def recent(self, model: str, limit: int = 50) -> list[TrainingRun]:
        """Newest first."""
        page = self._table.query(
            KeyConditionExpression=Key("name").eq(model) & Key("sk").begins_with(RUN),
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
        )
        return [TrainingRun.model_validate(_from_dynamo(item)) for item in page.get("Items", [])]

    def holder(self, model: str) -> str | None:
        """The run id holding the model's lock, if its lease still runs."""
        held = self._get(model, LOCK)
        if held is None or int(held.get("lease_until", 0)) < int(time.time()):
            return None
        return str(held["run_id"])

    # --------------------------------------------------------------- writes

    def claim(self, run: TrainingRun, token: str) -> TrainingRun | None:
        """The run, now claimed by the execution `token`; None if another execution has it.

        SQS delivers at least once, so two executions can receive one run's message at once.
        Only the one whose conditional write lands trains; the other drops its copy (if the
        trainer crashes, its own copy comes back after the lease, and the run ends FAILED).
        """
        try:
            answer = self._table.update_item(
                Key={"name": run.model, "sk": RUN + run.run_id},
                UpdateExpression="SET claimed_by = :token",
                ConditionExpression=Attr("status").eq(RunStatus.RUNNING.value)
                & Attr("claimed_by").not_exists(),
                ExpressionAttributeValues={":token": token},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == _CONDITION_FAILED:
                return None
            raise
        return TrainingRun.model_validate(_from_dynamo(answer["Attributes"]))

    def save(self, run: TrainingRun) -> bool:
        """Write the run if it is still RUNNING (progress, or its final state); False if not."""
        try:
            self._table.put_item(
                Item=self._item(run), ConditionExpression=Attr("status").eq(RunStatus.RUNNING.value)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == _CONDITION_FAILED:
                return False
            raise
        return True

    def save_item(self, run: TrainingRun) -> dict[str, Any]:
        """`save` as a transaction item: the final write that lands with a promotion, or not."""
        return self._put_if(
            run,
            "#status = :running",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":running": RunStatus.RUNNING.value},
        )

    def release(self, model: str, run_id: str) -> None:
        """Drop the lock if this run still holds it (a lock taken over stays)."""
        try:
            self._table.delete_item(
                Key={"name": model, "sk": LOCK}, ConditionExpression=Attr("run_id").eq(run_id)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != _CONDITION_FAILED:
                raise

    def fail(self, run: TrainingRun, code: str, message: str) -> TrainingRun | None:
        """RUNNING -> FAILED with the reason, and the lock released; None if it had ended."""
        failed = run.model_copy(
            update={
                "status": RunStatus.FAILED,
                "ended_at": iso(utc_now()),
                "error": {"code": code, "message": message, "details": []},
            }
        )
        landed = self.save(failed)
        self.release(run.model, run.run_id)
        return failed if landed else None

    def expire(self, model: str, run_id: str) -> TrainingRun | None:
        """Mark a RUNNING run whose lease ran out FAILED; None when it is not such a run."""
        try:
            run = self.get(model, run_id)
        except RunNotFound:
            return None
        if not run.lease_expired:
            return None
        return self.fail(
            run,
            "run_timed_out",
            "the run did not finish before its lease ran out (crash or timeout)",
        )

    # ------------------------------------------------------------ internals

    def _item(self, run: TrainingRun) -> dict[str, Any]:
        item: dict[str, Any] = _to_dynamo(run.model_dump(mode="json"))
        return {**item, "name": run.model, "sk": RUN + run.run_id}

    def _put_new(self, run: TrainingRun) -> dict[str, Any]:
        return self._put_if(run, "attribute_not_exists(sk)")

    def _put_if(self, run: TrainingRun, condition: str, **expression: Any) -> dict[str, Any]:
        """A transaction item that writes `run` when `condition` holds."""
        item = _plain(self._item(run))
        put = {"TableName": self.table_name, "Item": item, "ConditionExpression": condition}
        return {"Put": {**put, **expression}}

    def _get(self, model: str, sort_key: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"name": model, "sk": sort_key}, ConsistentRead=True).get(
            "Item"
        )
        return None if item is None else _from_dynamo(item)
