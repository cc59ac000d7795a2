"""DynamoDB TTL for the emulator, which stores the TTL setting but never expires items.

AWS deletes expired items within days, not at once; sweeping every minute is close enough.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger("infra.local")


class TtlSweeper:
    def __init__(self, dynamodb: Any, tables: list[str]) -> None:
        self._dynamodb = dynamodb
        self._tables = tables

    def run(self, interval_seconds: float, stop: threading.Event) -> None:
        while not stop.wait(interval_seconds):
            try:
                self.sweep_once()
            except (BotoCoreError, ClientError) as exc:
                if stop.is_set():
                    return
                log.warning("TTL sweep failed: %s", exc)

    def sweep_once(self, now: float | None = None) -> int:
        """Delete items whose TTL attribute is in the past; returns how many."""
        deleted = 0
        for table in self._tables:
            ttl = self._dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
            if ttl.get("TimeToLiveStatus") != "ENABLED":
                continue
            deleted += self._sweep_table(table, ttl["AttributeName"], now or time.time())
        return deleted

    def _sweep_table(self, table: str, attribute: str, now: float) -> int:
        key_names = [
            key["AttributeName"]
            for key in self._dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
        ]
        paginator = self._dynamodb.get_paginator("scan")
        deleted = 0
        for page in paginator.paginate(
            TableName=table,
            FilterExpression="#ttl < :now",
            ExpressionAttributeNames={"#ttl": attribute},
            ExpressionAttributeValues={":now": {"N": str(int(now))}},
        ):
            for item in page.get("Items", []):
                key = {name: item[name] for name in key_names}
                self._dynamodb.delete_item(TableName=table, Key=key)
                deleted += 1
        if deleted:
            log.info("TTL: deleted %d expired item(s) from %s", deleted, table)
        return deleted
