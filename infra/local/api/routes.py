"""Match a request to a route the way API Gateway HTTP APIs do."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.local.functions import HttpRoute


@dataclass(frozen=True)
class RouteMatch:
    route: HttpRoute
    function: str
    path_parameters: dict[str, str]

    @property
    def route_key(self) -> str:
        if self.route.path == "$default":
            return "$default"
        return f"{self.route.method} {self.route.path}"


def _pattern(path: str) -> re.Pattern[str]:
    parts = []
    for segment in path.strip("/").split("/"):
        greedy = re.fullmatch(r"\{(\w+)\+\}", segment)
        single = re.fullmatch(r"\{(\w+)\}", segment)
        if greedy:
            parts.append(f"(?P<{greedy.group(1)}>.+)")
        elif single:
            parts.append(f"(?P<{single.group(1)}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("/" + "/".join(parts))


def _specificity(route: HttpRoute) -> tuple[int, int, int]:
    """Most specific first: literal segments, then fewer greedy ones, then a set method."""
    segments = route.path.strip("/").split("/")
    literals = sum(1 for segment in segments if not segment.startswith("{"))
    greedy = sum(1 for segment in segments if segment.endswith("+}"))
    return (-literals, greedy, route.method == "ANY")


class RouteTable:
    def __init__(self, routes: list[tuple[HttpRoute, str]]) -> None:
        explicit = [(route, fn) for route, fn in routes if route.path != "$default"]
        explicit.sort(key=lambda item: _specificity(item[0]))
        self._routes = [(route, fn, _pattern(route.path)) for route, fn in explicit]
        self._default = next(
            ((route, fn) for route, fn in routes if route.path == "$default"), None
        )

    def match(self, method: str, path: str) -> RouteMatch | None:
        for route, function, pattern in self._routes:
            found = pattern.fullmatch(path)
            if found and route.method in (method, "ANY"):
                return RouteMatch(route, function, dict(found.groupdict()))
        if self._default is not None:
            return RouteMatch(self._default[0], self._default[1], {})
        return None
