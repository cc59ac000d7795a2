"""ModelRegistry: models, versions, aliases and alias history in ModelsTable.

One item per model (`MODEL`), per version (`VERSION#<version>`), per alias move
(`HISTORY#<revision>`, never rewritten) and per publish upload (`UPLOAD#<id>`), all under the
model's name. Every alias move is one transaction conditioned on the model's `revision`: of two
concurrent moves one lands and the other is told to read again (AliasConflict). A move to the
version the alias already names is refused (AliasUnchanged), so every move changes the alias and
two moves from one view give one 200 and one 409 however they interleave.

Only the MODEL items carry `listing` (= LISTED), the partition key of the sparse GSI
`models-by-name`: listing the models queries it and never reads versions, runs or drift records.
Every write of a MODEL item sets it; `backfill_listing` gives it to items written before.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from batchscore_core.models import iso, utc_now
from batchscore_core.registry_models import (
    ALIASES,
    CHAMPION,
    AliasConflict,
    AliasMove,
    AliasUnchanged,
    ModelNotFound,
    ModelRecord,
    ModelRef,
    PublishRefused,
    UnknownAlias,
    UploadNotFound,
    UploadRecord,
    UploadStatus,
    VersionNotActive,
    VersionNotFound,
    VersionRecord,
    VersionStatus,
    check_explain,
    parse_model_ref,
)

MODEL = "MODEL"
VERSION = "VERSION#"
HISTORY = "HISTORY#"
UPLOAD = "UPLOAD#"
PUBLISHING = "PUBLISHING#"
MODELS_INDEX = "models-by-name"
LISTING = "listing"  # the index's partition attribute, on MODEL items only
LISTED = "models"
_CONDITION_FAILED = "ConditionalCheckFailedException"


def model_prefix(name: str, version: str) -> str:
    """Where a version's bundle files live in the data bucket."""
    return f"models/{name}/{version}/"


def model_upload_key(name: str, upload_id: str) -> str:
    """Where a publish upload's archive lands (S3 notifies the model uploads queue)."""
    return f"model-uploads/{name}/{upload_id}/bundle"


_UPLOAD_KEY = re.compile(r"^model-uploads/(?P<name>[a-z0-9-]+)/(?P<upload_id>[0-9a-f]{32})/bundle$")


def upload_of_key(key: str) -> tuple[str, str] | None:
    """(model name, upload id) of a publish upload's archive key; None for anything else."""
    match = _UPLOAD_KEY.match(key)
    return (match["name"], match["upload_id"]) if match else None


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _to_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_dynamo(item) for item in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(item) for item in value]
    return value


def query_all(table: Any, **query: Any) -> list[dict[str, Any]]:
    """Every item of a DynamoDB `table.query(**query)`, page after page, as plain values."""
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**query)
        items.extend(_from_dynamo(item) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class ModelRegistry:
    def __init__(self, table_name: str, resource: Any | None = None) -> None:
        self._resource: Any = resource or boto3.resource("dynamodb")
        self._table: Any = self._resource.Table(table_name)
        self.table_name = table_name

    # ------------------------------------------------------------------- reads

    def model_names(self) -> list[str]:
        names = [model.name for model in self.list_models()]
        return sorted(names)

    def list_models(self) -> list[ModelRecord]:
        """Every model, by name: the sparse index holds MODEL items only (eventually consistent:
        a model published a moment ago may be missing for that moment on AWS)."""
        items = query_all(
            self._table, IndexName=MODELS_INDEX, KeyConditionExpression=Key(LISTING).eq(LISTED)
        )
        models = [ModelRecord.model_validate(item) for item in items]
        return sorted(models, key=lambda model: model.name)

    def backfill_listing(self) -> list[str]:
        """Give `listing` to MODEL items stored before the index existed: the names updated.

        One-time (a table scan): run once after deploying the index (docs/registry.md); the
        local runtime runs it when it seeds. Items written since carry it already.
        """
        scan: dict[str, Any] = {
            "FilterExpression": Attr("sk").eq(MODEL) & Attr(LISTING).not_exists(),
            "ProjectionExpression": "#name",
            "ExpressionAttributeNames": {"#name": "name"},
        }
        updated: list[str] = []
        while True:
            page = self._table.scan(**scan)
            for item in page.get("Items", []):
                self._table.update_item(
                    Key={"name": item["name"], "sk": MODEL},
                    UpdateExpression="SET #listing = :listed",
                    ConditionExpression=Attr("sk").exists(),
                    ExpressionAttributeNames={"#listing": LISTING},
                    ExpressionAttributeValues={":listed": LISTED},
                )
                updated.append(str(item["name"]))
            if "LastEvaluatedKey" not in page:
                return sorted(updated)
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_model(self, name: str) -> ModelRecord:
        item = self._get(name, MODEL)
        if item is None:
            raise ModelNotFound(name, known=self.model_names())
        return ModelRecord.model_validate(item)

    def get_version(self, name: str, version: str) -> VersionRecord:
        item = self._get(name, VERSION + version)
        if item is None:
            self.get_model(name)  # an unknown model is reported as such
            known = [record.version for record in self.list_versions(name)]
            raise VersionNotFound(name, version, known)
        return VersionRecord.model_validate(item)

    def check_explain(self, ref: ModelRef) -> None:
        """ExplainNotSupported when `ref`'s version recorded at publish that it cannot explain."""
        check_explain(self.get_version(ref.name, ref.version), explain=True)

    def list_versions(self, name: str) -> list[VersionRecord]:
        items = self._query(name, VERSION)
        versions = [VersionRecord.model_validate(item) for item in items]
        return sorted(versions, key=lambda record: (record.created_at, record.version))

    def history(self, name: str) -> list[AliasMove]:
        """Oldest first: the sort key is the model's revision when the move landed."""
        return [AliasMove.model_validate(item) for item in self._query(name, HISTORY)]

    def resolve(self, reference: str | None, default_name: str) -> ModelRef:
        """`name` (its champion) or `name@version` (active only); None means the default model."""
        try:
            name, version = parse_model_ref(reference) if reference else (default_name, None)
        except ModelNotFound as exc:
            raise ModelNotFound(exc.name, known=self.model_names()) from exc
        model = self.get_model(name)
        if version is None:
            return ModelRef(name=name, version=model.champion)
        record = self.get_version(name, version)
        if record.status is not VersionStatus.ACTIVE:
            raise VersionNotActive(name, version, record.status.value)
        return ModelRef(name=name, version=version)

    # ----------------------------------------------------------------- aliases

    def move_alias(
        self,
        name: str,
        alias: str,
        version: str,
        *,
        by: str,
        reason: str,
        expected_version: str | None = None,
        also: Sequence[dict[str, Any]] = (),
    ) -> AliasMove:
        """Point `alias` at an active `version`, appending the move to the history.

        `expected_version` (optional) is where the caller saw the alias: if it moved since, the
        call is an AliasConflict even before the write. `also`: further transaction items that
        land with the move or not at all (a retraining run's final record).
        """
        if alias not in ALIASES:
            raise UnknownAlias(alias)
        model = self.get_model(name)
        record = self.get_version(name, version)
        if record.status is not VersionStatus.ACTIVE:
            raise VersionNotActive(name, version, record.status.value)
        current = model.aliases.get(alias)
        if expected_version is not None and expected_version != current:
            raise AliasConflict(name, alias)
        if current == version:
            # A no-op "move" would leave the alias where a concurrent caller saw it, and that
            # caller's move would then land too: two 200s for one view.
            raise AliasUnchanged(name, alias, version)
        revision = model.revision + 1
        move = AliasMove(
            alias=alias,
            from_version=current,
            to_version=version,
            at=iso(utc_now()),
            by=by,
            reason=reason,
        )
        try:
            self._resource.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"name": name, "sk": MODEL},
                            "UpdateExpression": "SET aliases.#alias = :to, revision = :next, "
                            "#listing = :listed",
                            "ConditionExpression": "revision = :seen",
                            "ExpressionAttributeNames": {"#alias": alias, "#listing": LISTING},
                            "ExpressionAttributeValues": {
                                ":to": version,
                                ":next": revision,
                                ":seen": model.revision,
                                ":listed": LISTED,
                            },
                        }
                    },
                    self._history_put(name, revision, move),
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": {"name": name, "sk": VERSION + version},
                            "ConditionExpression": "#status = :active",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":active": "active"},
                        }
                    },
                    *also,
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if (
                len(reasons) > 2
                and reasons[2] == _CONDITION_FAILED
                and reasons[0] != _CONDITION_FAILED
            ):
                raise VersionNotActive(name, version, "no longer active") from exc
            raise AliasConflict(name, alias) from exc
        return move

    # -------------------------------------------------------------- publishing

    def claim_version(self, name: str, version: str, upload_id: str) -> None:
        """Reserve `version` for one upload, so two uploads of it cannot both write its files."""
        if self._get(name, VERSION + version) is not None:
            raise PublishRefused("version_exists", f"{name} {version} is already published")
        try:
            self._table.put_item(
                Item={"name": name, "sk": PUBLISHING + version, "upload_id": upload_id},
                ConditionExpression=Attr("upload_id").not_exists()
                | Attr("upload_id").eq(upload_id),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == _CONDITION_FAILED:
                raise PublishRefused(
                    "version_exists", f"{name} {version} is being published by another upload"
                ) from exc
            raise

    def release_version(self, name: str, version: str) -> None:
        self._table.delete_item(Key={"name": name, "sk": PUBLISHING + version})

    def release_claims_of(self, name: str, upload_id: str) -> list[str]:
        """Drop the version claims an upload still holds (its attempts crashed): the versions."""
        claimed = [
            item["sk"].removeprefix(PUBLISHING)
            for item in self._query(name, PUBLISHING)
            if item.get("upload_id") == upload_id
        ]
        for version in claimed:
            self._table.delete_item(
                Key={"name": name, "sk": PUBLISHING + version},
                ConditionExpression=Attr("upload_id").eq(upload_id),
            )
        return claimed

    def commit_version(self, record: VersionRecord, task: str, *, reason: str) -> ModelRecord:
        """Make a claimed version visible; the first version of a new model becomes its champion."""
        name = record.name
        existing = self._get(name, MODEL)
        put_version = {
            "Put": {
                "TableName": self.table_name,
                "Item": _plain(
                    {**_to_dynamo(record.model_dump(mode="json")), "sk": VERSION + record.version}
                ),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }
        release = {
            "Delete": {
                "TableName": self.table_name,
                "Key": {"name": name, "sk": PUBLISHING + record.version},
            }
        }
        if existing is None:
            model = ModelRecord(
                name=name,
                task=task,
                aliases={CHAMPION: record.version},
                revision=1,
                version_count=1,
                created_at=record.created_at,
            )
            move = AliasMove(
                alias=CHAMPION,
                from_version=None,
                to_version=record.version,
                at=record.created_at,
                by=record.created_by,
                reason=reason,
            )
            model_write: dict[str, Any] = {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _plain(
                        {
                            **_to_dynamo(model.model_dump(mode="json")),
                            "sk": MODEL,
                            LISTING: LISTED,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(sk)",
                }
            }
            items = [put_version, release, model_write, self._history_put(name, 1, move)]
        else:
            if existing.get("task") != task:
                raise PublishRefused(
                    "task_mismatch",
                    f"{name} is a {existing.get('task')} model; this bundle is {task}",
                )
            model_write = {
                "Update": {
                    "TableName": self.table_name,
                    "Key": {"name": name, "sk": MODEL},
                    "UpdateExpression": "ADD version_count :one SET #listing = :listed",
                    "ExpressionAttributeNames": {"#listing": LISTING},
                    "ExpressionAttributeValues": {":one": 1, ":listed": LISTED},
                }
            }
            items = [put_version, release, model_write]
        try:
            self._resource.meta.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise PublishRefused(
                    "version_exists", f"{name} {record.version} is already published"
                ) from exc
            raise
        return self.get_model(name)

    def set_training(self, name: str, training: dict[str, Any]) -> None:
        self._table.update_item(
            Key={"name": name, "sk": MODEL},
            UpdateExpression="SET training = :training, #listing = :listed",
            ConditionExpression=Attr("sk").exists(),
            ExpressionAttributeNames={"#listing": LISTING},
            ExpressionAttributeValues={":training": _to_dynamo(training), ":listed": LISTED},
        )

    # ------------------------------------------------------------------ uploads

    def create_upload(self, upload: UploadRecord) -> None:
        self._table.put_item(
            Item={**_to_dynamo(upload.model_dump(mode="json")), "sk": UPLOAD + upload.upload_id},
            ConditionExpression=Attr("sk").not_exists(),
        )

    def get_upload(self, name: str, upload_id: str) -> UploadRecord:
        item = self._get(name, UPLOAD + upload_id)
        if item is None:
            raise UploadNotFound(upload_id)
        return UploadRecord.model_validate(item)

    def claim_upload(self, upload: UploadRecord, *, lease_seconds: int) -> UploadRecord | None:
        """AWAITING_UPLOAD (or VALIDATING whose lease ran out) -> VALIDATING, for one delivery.

        None when another delivery holds it or it is decided: a duplicate S3 event, or SQS
        delivering again while the first attempt still runs, does nothing.
        """
        now = int(time.time())
        claimed = upload.model_copy(
            update={
                "status": UploadStatus.VALIDATING,
                "updated_at": iso(utc_now()),
                "lease_until": now + lease_seconds,
            }
        )
        condition = Attr("status").eq(UploadStatus.AWAITING_UPLOAD.value) | (
            Attr("status").eq(UploadStatus.VALIDATING.value) & Attr("lease_until").lt(now)
        )
        return claimed if self._put_upload_if(claimed, condition) else None

    def update_upload(
        self,
        upload: UploadRecord,
        status: UploadStatus,
        *,
        from_states: tuple[UploadStatus, ...],
        version: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> UploadRecord | None:
        """Move an upload on; None when it was not in `from_states` (a duplicate delivery)."""
        changed = upload.model_copy(
            update={
                "status": status,
                "version": version or upload.version,
                "error": error,
                "updated_at": iso(utc_now()),
            }
        )
        condition = Attr("status").is_in([state.value for state in from_states])
        return changed if self._put_upload_if(changed, condition) else None

    # ---------------------------------------------------------------- internals

    def _put_upload_if(self, upload: UploadRecord, condition: Any) -> bool:
        """Write an upload's record when `condition` holds; False when it does not."""
        try:
            self._table.put_item(
                Item={
                    **_to_dynamo(upload.model_dump(mode="json")),
                    "sk": UPLOAD + upload.upload_id,
                },
                ConditionExpression=condition,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == _CONDITION_FAILED:
                return False
            raise
        return True

    def _get(self, name: str, sort_key: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"name": name, "sk": sort_key}, ConsistentRead=True).get(
            "Item"
        )
        return None if item is None else _from_dynamo(item)

    def _query(self, name: str, prefix: str) -> list[dict[str, Any]]:
        return query_all(
            self._table,
            KeyConditionExpression=Key("name").eq(name) & Key("sk").begins_with(prefix),
            ConsistentRead=True,
        )

    def _history_put(self, name: str, revision: int, move: AliasMove) -> dict[str, Any]:
        item = {**move.model_dump(mode="json"), "name": name, "sk": f"{HISTORY}{revision:09d}"}
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": _plain(item),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """An item for the resource's client (it serializes Python values itself): no None."""
    return {key: value for key, value in item.items() if value is not None}
