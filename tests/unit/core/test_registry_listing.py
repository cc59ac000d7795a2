"""ModelRegistry.list_models pages through the sparse index and never scans the table."""

from __future__ import annotations

from typing import Any

from batchscore_core.registry import LISTED, LISTING, MODELS_INDEX, ModelRegistry


def model_item(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "sk": "MODEL",
        LISTING: LISTED,
        "task": "classification",
        "aliases": {"champion": f"{name}-1"},
        "created_at": "2026-12-01T00:00:00Z",
    }


class PagedTable:
    """A table whose index answers in pages of two; a scan fails the test."""

    def __init__(self, names: list[str]) -> None:
        self.items = [model_item(name) for name in names]
        self.queries: list[dict[str, Any]] = []

    def query(self, **params: Any) -> dict[str, Any]:
        self.queries.append(params)
        start = int(params.get("ExclusiveStartKey", {}).get("at", 0))
        page: dict[str, Any] = {"Items": self.items[start : start + 2]}
        if start + 2 < len(self.items):
            page["LastEvaluatedKey"] = {"at": start + 2}
        return page

    def scan(self, **params: Any) -> dict[str, Any]:
        raise AssertionError("list_models scanned the table")


class Resource:
    def __init__(self, table: PagedTable) -> None:
        self.table = table

    def Table(self, name: str) -> PagedTable:
        return self.table


def test_every_page_of_the_index_is_read_and_the_models_sorted_by_name() -> None:
    # Given five models, answered two per page
    table = PagedTable(["e", "c", "a", "d", "b"])
    registry = ModelRegistry("models", Resource(table))
    # When
    listed = registry.list_models()
    # Then: three queries of the index, each from where the last stopped
    assert [model.name for model in listed] == ["a", "b", "c", "d", "e"]
    assert [query["IndexName"] for query in table.queries] == [MODELS_INDEX] * 3
    assert [query.get("ExclusiveStartKey") for query in table.queries] == [
        None,
        {"at": 2},
        {"at": 4},
    ]
