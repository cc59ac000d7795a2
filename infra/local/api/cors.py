"""The HttpApi's CorsConfiguration, applied as API Gateway applies it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CorsConfig:
    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...] = ("*",)
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_template(cls, config: Any) -> CorsConfig | None:
        """SAM accepts `true`, a single origin string, or the full map."""
        if config in (None, False, "false"):
            return None
        if config is True or config == "true":
            return cls(allow_origins=("*",), allow_headers=("*",))
        if isinstance(config, str):
            return cls(allow_origins=(config.strip("'"),), allow_headers=("*",))

        def strings(key: str) -> tuple[str, ...]:
            return tuple(str(item) for item in config.get(key) or [])

        max_age = config.get("MaxAge")
        return cls(
            allow_origins=strings("AllowOrigins"),
            allow_methods=strings("AllowMethods") or ("*",),
            allow_headers=strings("AllowHeaders"),
            expose_headers=strings("ExposeHeaders"),
            max_age=int(max_age) if max_age is not None else None,
            allow_credentials=str(config.get("AllowCredentials", "")).lower() == "true",
        )

    def allows(self, origin: str | None) -> bool:
        return bool(origin) and ("*" in self.allow_origins or origin in self.allow_origins)

    def _origin_headers(self, origin: str) -> list[tuple[str, str]]:
        allowed = "*" if "*" in self.allow_origins and not self.allow_credentials else origin
        headers = [("access-control-allow-origin", allowed)]
        if self.allow_credentials:
            headers.append(("access-control-allow-credentials", "true"))
        return headers

    def preflight(
        self, origin: str | None, method: str | None, request_headers: str | None
    ) -> list[tuple[str, str]]:
        """Headers for an OPTIONS preflight; empty if the origin or method is not allowed."""
        if origin is None or not self.allows(origin) or not method:
            return []
        methods = {item.upper() for item in self.allow_methods}
        if "*" not in methods and method.upper() not in methods:
            return []
        headers = self._origin_headers(origin)
        headers.append(("access-control-allow-methods", ",".join(self.allow_methods)))
        allow_headers = (
            request_headers or "" if "*" in self.allow_headers else ",".join(self.allow_headers)
        )
        if allow_headers:
            headers.append(("access-control-allow-headers", allow_headers))
        if self.max_age is not None:
            headers.append(("access-control-max-age", str(self.max_age)))
        return headers

    def response_headers(self, origin: str | None) -> list[tuple[str, str]]:
        if origin is None or not self.allows(origin):
            return []
        headers = self._origin_headers(origin)
        if self.expose_headers:
            headers.append(("access-control-expose-headers", ",".join(self.expose_headers)))
        return headers
