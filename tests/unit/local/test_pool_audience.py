from typing import Any

from infra.local.api.pool_audience import PoolClientIds


class FakePaginator:
    def __init__(self, cognito: "FakeCognito") -> None:
        self.cognito = cognito

    def paginate(self, **_: Any) -> list[dict[str, Any]]:
        self.cognito.reads += 1
        return [{"UserPoolClients": [{"ClientId": item} for item in self.cognito.ids]}]


class FakeCognito:
    def __init__(self, *ids: str) -> None:
        self.ids = list(ids)
        self.reads = 0

    def get_paginator(self, name: str) -> FakePaginator:
        assert name == "list_user_pool_clients"
        return FakePaginator(self)


def test_a_client_of_the_pool_is_accepted():
    # Given
    clients = PoolClientIds(FakeCognito("web", "partner"), "pool")

    # When / Then
    assert clients.accepts(frozenset({"partner"}))


def test_a_client_created_after_the_last_read_is_accepted_at_once():
    # Given a pool read a moment ago
    cognito = FakeCognito("web")
    clients = PoolClientIds(cognito, "pool", clock=lambda: 0.0)
    clients.accepts(frozenset({"web"}))

    # When a partner client is created
    cognito.ids.append("new-partner")

    # Then
    assert clients.accepts(frozenset({"new-partner"}))


def test_a_known_client_is_answered_from_the_cache():
    # Given
    cognito = FakeCognito("web")
    clients = PoolClientIds(cognito, "pool", clock=lambda: 0.0)
    clients.accepts(frozenset({"web"}))

    # When
    clients.accepts(frozenset({"web"}))

    # Then
    assert cognito.reads == 1


def test_a_client_of_another_pool_is_refused():
    # Given
    clients = PoolClientIds(FakeCognito("web"), "pool")

    # When / Then
    assert not clients.accepts(frozenset({"stranger"}))
