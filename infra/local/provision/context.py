"""What every resource creator needs: the resolver, emulator clients and naming."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.local.intrinsics import Resolver


@dataclass(frozen=True)
class Created:
    """A created resource: its `!Ref` value and its `!GetAtt` attributes."""

    ref: Any
    attributes: dict[str, Any]


@dataclass
class ProvisionContext:
    resolver: Resolver
    client: Callable[[str], Any]
    api_url: str
    visibility_timeout: int | None = None

    @property
    def region(self) -> str:
        return self.resolver.region

    @property
    def account_id(self) -> str:
        return self.resolver.account_id

    def physical_name(self, logical_id: str, explicit: Any = None) -> str:
        """The template's name if it sets one, else a deterministic `<stack>-<logicalid>`."""
        if explicit:
            return str(explicit)
        return f"{self.resolver.stack_name}-{logical_id.lower()}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        account = self.account_id if regional else ""
        return f"arn:aws:{service}:{region}:{account}:{resource}"
