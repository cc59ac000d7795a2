"""Registry events on EventBridge: `Model Published`, `Model Alias Changed`, `Model Retrained`."""

from __future__ import annotations

import json
from typing import Any

import boto3

from batchscore_core.events import SOURCE
from batchscore_core.registry_models import AliasMove, VersionRecord

PUBLISHED = "Model Published"
ALIAS_CHANGED = "Model Alias Changed"
RETRAINED = "Model Retrained"


class ModelEvents:
    def __init__(self, bus_name: str, client: Any | None = None) -> None:
        self._bus = bus_name
        self._client: Any = client or boto3.client("events")

    def published(self, record: VersionRecord) -> None:
        self._put(PUBLISHED, {**record.summary(), "name": record.name, "by": record.created_by})

    def alias_changed(self, name: str, move: AliasMove) -> None:
        detail = {
            "name": name,
            "alias": move.alias,
            "from_version": move.from_version,
            "to_version": move.to_version,
            "by": move.by,
            "reason": move.reason,
            "at": move.at,
        }
        self._put(ALIAS_CHANGED, detail)

    def retrained(self, run: dict[str, Any]) -> None:
        """A retraining run ended: its id, status, versions, metrics and gate (TrainingRun)."""
        self._put(RETRAINED, run)

    def _put(self, detail_type: str, detail: dict[str, Any]) -> None:
        self._client.put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                    "EventBusName": self._bus,
                    "Resources": [],
                }
            ]
        )
