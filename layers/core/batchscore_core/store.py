"""JobStore: jobs in DynamoDB, every state change a conditional write on the current state."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from batchscore_core import lifecycle
from batchscore_core.errors import InvalidTransition, JobAlreadyExists, JobNotFound
from batchscore_core.models import FINAL_STATES, Job, JobStatus, iso, utc_now

OWNER_INDEX = "by-owner"
_CONDITION_FAILED = "ConditionalCheckFailedException"


class InvalidPageToken(ValueError):
    """A `next_token` that this store did not hand out."""


class JobStore:
    def __init__(self, table_name: str, resource: Any | None = None, ttl_days: int = 90) -> None:
        self._table: Any = (resource or boto3.resource("dynamodb")).Table(table_name)
        self._ttl_seconds = ttl_days * 86400

    # reads

    def get(self, job_id: str) -> Job:
        item = self._table.get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        if item is None:
            raise JobNotFound(job_id)
        return Job.model_validate(item)

    def get_owned(self, job_id: str, owner: str) -> Job:
        """Another owner's job is reported exactly like a missing one."""
        job = self.get(job_id)
        if job.owner != owner:
            raise JobNotFound(job_id)
        return job

    def list_owned(
        self,
        owner: str,
        *,
        statuses: Iterable[JobStatus] = (),
        archived: bool | None = False,
        limit: int = 20,
        next_token: str | None = None,
    ) -> tuple[list[Job], str | None]:
        """Newest first; `archived=None` lists both archived and active jobs."""
        query: dict[str, Any] = {
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": Key("owner").eq(owner),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        filters: list[ConditionBase] = []
        wanted = sorted(set(statuses))
        if wanted:
            filters.append(Attr("status").is_in([state.value for state in wanted]))
        if archived is not None:
            filters.append(Attr("archived").eq(archived))
        if filters:
            combined = filters[0]
            for extra in filters[1:]:
                combined = combined & extra
            query["FilterExpression"] = combined
        if next_token:
            query["ExclusiveStartKey"] = _decode_token(next_token, owner)

        jobs: list[Job] = []
        while True:
            page = self._table.query(**query)
            for item in page.get("Items", []):
                jobs.append(Job.model_validate(item))
                if len(jobs) == limit:
                    last = {
                        "job_id": item["job_id"],
                        "owner": owner,
                        "created_at": item["created_at"],
                    }
                    more = item is not page["Items"][-1] or "LastEvaluatedKey" in page
                    return jobs, _encode_token(last) if more else None
            if "LastEvaluatedKey" not in page:
                return jobs, None
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count_active(self, owner: str, *, awaiting_since: str, at_most: int) -> int:
        """The owner's jobs not yet final (counting up to `at_most`): QUEUED and PROCESSING, and
        AWAITING_UPLOAD created after `awaiting_since` (an older one's upload form has expired)."""
        query: dict[str, Any] = {
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "#owner = :owner",
            "FilterExpression": "#status IN (:queued, :processing) OR "
            "(#status = :awaiting AND created_at > :since)",
            "ExpressionAttributeNames": {"#owner": "owner", "#status": "status"},
            "ExpressionAttributeValues": {
                ":owner": owner,
                ":queued": JobStatus.QUEUED.value,
                ":processing": JobStatus.PROCESSING.value,
                ":awaiting": JobStatus.AWAITING_UPLOAD.value,
                ":since": awaiting_since,
            },
            "Select": "COUNT",
        }
        count = 0
        while count < at_most:
            page = self._table.query(**query)
            count += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return count

    # writes

    def create(self, job: Job) -> Job:
        if job.status in FINAL_STATES and job.expires_at is None:
            job = job.model_copy(update={"expires_at": self._expiry()})
        try:
            self._table.put_item(Item=_item(job), ConditionExpression=Attr("job_id").not_exists())
        except ClientError as exc:
            if _code(exc) == _CONDITION_FAILED:
                raise JobAlreadyExists(job.job_id) from exc
            raise
        return job

    def advance(
        self,
        job_id: str,
        to_state: JobStatus,
        *,
        from_states: Iterable[JobStatus] | None = None,
        changes: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
    ) -> Job:
        """Move a job to `to_state` only if the state table allows it from its current state
        (and that state is in `from_states`)."""
        allowed = lifecycle.allowed_sources(to_state, from_states)
        if not allowed:
            raise InvalidTransition(job_id, to_state)
        fields = {**(changes or {}), "status": to_state.value}
        if to_state in FINAL_STATES:
            fields.setdefault("expires_at", self._expiry())
        return self._update(job_id, to_state, fields, remove, lifecycle.in_states(allowed))

    def claim(self, job_id: str, *, lease_seconds: int, attempt_changes: Mapping[str, Any]) -> Job:
        """QUEUED -> PROCESSING, or take over a PROCESSING job whose lease ran out (a dead attempt).

        A second delivery of a running or finished job finds the condition false: InvalidTransition.
        """
        now = int(utc_now().timestamp())
        fields = {
            **attempt_changes,
            "status": JobStatus.PROCESSING.value,
            "lease_expires_at": now + lease_seconds,
        }
        return self._update(
            job_id,
            JobStatus.PROCESSING,
            fields,
            (),
            lifecycle.claim_condition(now),
            increment="attempts",
        )

    def record_progress(self, job_id: str, rows_done: int, rows_total: int | None) -> Job:
        """Progress of a running job; refused once the job left PROCESSING (deleted, taken over)."""
        fields: dict[str, Any] = {"rows_done": rows_done}
        if rows_total is not None:
            fields["rows_total"] = rows_total
        return self._update(job_id, JobStatus.PROCESSING, fields, (), lifecycle.running())

    def update(self, job_id: str, changes: Mapping[str, Any]) -> Job:
        """Change fields that are not the state (archive flag, webhook outcome)."""
        return self._update(job_id, None, changes, (), lifecycle.exists())

    def delete(self, job_id: str) -> None:
        self._table.delete_item(Key={"job_id": job_id})

    def _expiry(self) -> int:
        """When a finished job's item expires (DynamoDB TTL, epoch seconds)."""
        return int(utc_now().timestamp()) + self._ttl_seconds

    def _update(
        self,
        job_id: str,
        to_state: JobStatus | None,
        fields: Mapping[str, Any],
        remove: Iterable[str],
        condition: ConditionBase,
        increment: str | None = None,
    ) -> Job:
        # boto3 adds the condition's own #n*/:v* placeholders to these.
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets = []
        all_fields = {**fields, "updated_at": iso(utc_now())}
        for i, (name, value) in enumerate(all_fields.items()):
            names[f"#f{i}"] = name
            values[f":s{i}"] = _dynamo_value(value)
            sets.append(f"#f{i} = :s{i}")
        if increment:
            names["#inc"] = increment
            values[":one"] = 1
            values[":zero"] = 0
            sets.append("#inc = if_not_exists(#inc, :zero) + :one")
        expression = "SET " + ", ".join(sets)
        removed = [name for name in remove if name not in all_fields]
        if removed:
            for i, name in enumerate(removed):
                names[f"#r{i}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
        try:
            answer = self._table.update_item(
                Key={"job_id": job_id},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _code(exc) != _CONDITION_FAILED:
                raise
            current = self._current_state(job_id)
            if current is None:
                raise JobNotFound(job_id) from exc
            raise InvalidTransition(job_id, to_state or current, current) from exc
        return Job.model_validate(answer["Attributes"])

    def _current_state(self, job_id: str) -> JobStatus | None:
        item = self._table.get_item(Key={"job_id": job_id}, ConsistentRead=True).get("Item")
        return JobStatus(str(item["status"])) if item else None


def _item(job: Job) -> dict[str, Any]:
    return {k: _dynamo_value(v) for k, v in job.model_dump(mode="json").items() if v is not None}


def _dynamo_value(value: Any) -> Any:
    """DynamoDB takes no floats and no empty strings in keys: plain JSON shapes only."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, float):
        return int(value) if value.is_integer() else str(value)
    if isinstance(value, dict):
        return {k: _dynamo_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_dynamo_value(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _encode_token(key: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(dict(key), sort_keys=True).encode()).decode()


def _decode_token(token: str, owner: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidPageToken(token) from exc
    if not isinstance(key, dict) or set(key) != {"job_id", "owner", "created_at"}:
        raise InvalidPageToken(token)
    if not all(isinstance(value, str) and value for value in key.values()):
        raise InvalidPageToken(token)  # DynamoDB would refuse a wrongly typed key: a 500
    if key["owner"] != owner:  # a token never pages through another owner's jobs
        raise InvalidPageToken(token)
    return key
