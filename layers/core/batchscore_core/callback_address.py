"""Where a webhook may go: https to a global address on port 443, checked again at delivery.

A `callback_url` is checked twice: its form when the job is submitted (`check_form`), and its
resolved addresses right before each delivery (`resolve_target`), so a name that later points
at a private, loopback or metadata address is refused without a connection ever being opened.
The delivery then connects to the very address that was checked (no second lookup).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

HTTPS_PORT = 443
LOOPBACK_NAMES = frozenset({"localhost"})
# IPv6 prefixes that carry an IPv4 address inside: the IPv4 one must be allowed too.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str, int], Sequence[str]]
"""`(host, port)` → the addresses (text) a connection could go to."""


class CallbackRefused(ValueError):
    """The callback URL is not one batchscore delivers to (the message says which rule)."""


@dataclass(frozen=True)
class CallbackTarget:
    """A checked destination: connect to `address`, speak to `host` (Host header, TLS name)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def system_resolver(host: str, port: int) -> list[str]:
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in answers]


def check_form(url: str, *, allow_loopback: bool) -> SplitResult:
    """Refuse by the URL's form alone (no lookup): scheme, credentials, port, numeric hosts."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise CallbackRefused("must be a valid URL") from exc
    host = parts.hostname
    if not host:
        raise CallbackRefused("must be an absolute URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise CallbackRefused("must not contain a user name or password")
    literal = _literal_address(host)
    loopback_host = host in LOOPBACK_NAMES or (literal is not None and literal.is_loopback)
    # With loopback allowed, a name may still turn out loopback: resolve_target decides.
    local = allow_loopback and (loopback_host or literal is None)
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise CallbackRefused("must be an https URL")
    if port not in (None, HTTPS_PORT) and not local:
        raise CallbackRefused("must use the https port 443")
    if loopback_host and not allow_loopback:
        raise CallbackRefused("must not point at a private, loopback or reserved address")
    if literal is not None and not address_allowed(literal, allow_loopback=allow_loopback):
        raise CallbackRefused("must not point at a private, loopback or reserved address")
    return parts


def resolve_target(
    url: str, *, allow_loopback: bool, resolve: Resolver = system_resolver
) -> CallbackTarget:
    """The checked destination of `url`; every address the name resolves to must be allowed."""
    parts = check_form(url, allow_loopback=allow_loopback)
    host = parts.hostname or ""
    port = parts.port or (HTTPS_PORT if parts.scheme == "https" else 80)
    try:
        answers = [ipaddress.ip_address(text.split("%", 1)[0]) for text in resolve(host, port)]
    except (OSError, ValueError, UnicodeError) as exc:
        raise CallbackRefused("the host name does not resolve") from exc
    if not answers:
        raise CallbackRefused("the host name does not resolve")
    if not all(address_allowed(answer, allow_loopback=allow_loopback) for answer in answers):
        raise CallbackRefused("must not point at a private, loopback or reserved address")
    if parts.scheme == "http" and not all(answer.is_loopback for answer in answers):
        raise CallbackRefused("must be an https URL")
    if port != HTTPS_PORT and not all(answer.is_loopback for answer in answers):
        raise CallbackRefused("must use the https port 443")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return CallbackTarget(parts.scheme, host, port, path, str(answers[0]))


def address_allowed(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_loopback: bool
) -> bool:
    """Global unicast only (loopback too when allowed); IPv4 inside IPv6 is judged as IPv4."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return address_allowed(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not address.is_multicast and not address.is_reserved


def _embedded_ipv4(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    packed = address.packed
    if packed[:12] == bytes(12) and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    return None


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a numeric host stands for, in any form a resolver accepts (`2130706433`)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None
