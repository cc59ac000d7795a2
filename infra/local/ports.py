"""Loopback ports: check one is free before binding, or pick a free one (tests)."""

from __future__ import annotations

import socket

from infra.local.errors import PortInUse


def ensure_port_free(host: str, port: int, env_var: str) -> None:
    """Raise PortInUse, naming the env var to change, if `host:port` cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(host, port, env_var) from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free now (another process could still take it before use)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
