"""Labelled training files per model: `training/<name>/...csv` in the data bucket, a record each
(`TRAINFILE#<file_id>` under the model's name in ModelsTable): AWAITING_UPLOAD, then ACCEPTED or
REJECTED (with the problems, as a job's error). Only accepted files enter a training run.

A file uploaded through the API is `training/<name>/<file_id>.csv`; any other CSV a partner
writes under `training/<name>/` gets a record on its first check, its id derived from its key.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from pydantic import BaseModel

from batchscore_core.registry import _from_dynamo, _to_dynamo, query_all

TRAINFILE = "TRAINFILE#"
PREFIX = "training/"
_KEY = re.compile(r"^training/(?P<name>[a-z0-9][a-z0-9-]{0,62})/(?P<rest>.+\.csv)$", re.IGNORECASE)
_API_FILE = re.compile(r"^(?P<file_id>[0-9a-f]{32})\.csv$")


class FileStatus(StrEnum):
    AWAITING_UPLOAD = "AWAITING_UPLOAD"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class TrainingFile(BaseModel):
    file_id: str
    model: str
    filename: str
    key: str
    status: FileStatus
    source: str  # `api` or `bucket` (a partner's write under training/<name>/)
    created_at: str
    updated_at: str
    rows: int | None = None
    error: dict[str, Any] | None = None  # {"code", "message", "details": [{line, column, message}]}

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def training_key(name: str, file_id: str) -> str:
    return f"{PREFIX}{name}/{file_id}.csv"


def parse_training_key(key: str) -> tuple[str, str, bool] | None:
    """(model name, file id, uploaded through the API) of a training CSV key; None otherwise."""
    match = _KEY.match(key)
    if match is None:
        return None
    rest = match["rest"]
    api = _API_FILE.match(rest)
    if api is not None:
        return match["name"], api["file_id"], True
    return match["name"], hashlib.sha256(key.encode()).hexdigest()[:32], False


class TrainingFiles:
    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._resource: Any = resource or boto3.resource("dynamodb")
        self._table: Any = self._resource.Table(table_name)

    def put(self, record: TrainingFile) -> None:
        self._table.put_item(Item=self._item(record))

    def create(self, record: TrainingFile) -> None:
        self._table.put_item(Item=self._item(record), ConditionExpression=Attr("sk").not_exists())

    def get(self, model: str, file_id: str) -> TrainingFile | None:
        item = self._table.get_item(
            Key={"name": model, "sk": TRAINFILE + file_id}, ConsistentRead=True
        ).get("Item")
        return None if item is None else TrainingFile.model_validate(_from_dynamo(item))

    def all(self, model: str) -> list[TrainingFile]:
        """Oldest first (by creation)."""
        items = query_all(
            self._table,
            KeyConditionExpression=Key("name").eq(model) & Key("sk").begins_with(TRAINFILE),
            ConsistentRead=True,
        )
        files = [TrainingFile.model_validate(item) for item in items]
        return sorted(files, key=lambda record: (record.created_at, record.file_id))

    def accepted(self, model: str, window: int) -> list[TrainingFile]:
        """The `window` most recently created accepted files, oldest first."""
        return [f for f in self.all(model) if f.status is FileStatus.ACCEPTED][-window:]

    def _item(self, record: TrainingFile) -> dict[str, Any]:
        item: dict[str, Any] = _to_dynamo(record.model_dump(mode="json"))
        return {**item, "name": record.model, "sk": TRAINFILE + record.file_id}


def is_condition_failure(exc: ClientError) -> bool:
    return bool(exc.response["Error"]["Code"] == "ConditionalCheckFailedException")
