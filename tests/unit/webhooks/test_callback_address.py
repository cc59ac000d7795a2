"""Where a webhook may go. No test here opens a connection: the resolver's answers are given."""

from __future__ import annotations

import socket

import pytest

from batchscore_core.callback_address import CallbackRefused, check_form, resolve_target
from batchscore_core.webhooks import REFUSED, post

PUBLIC = "93.184.215.14"


def answers(*addresses: str):
    """A resolver that answers these addresses for any name, and records what it was asked."""
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return list(addresses)

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


# The finding's URLs, and their relatives: each is refused by its form alone, at submit time.
HOSTILE_FORMS = [
    "https://169.254.169.254/latest/meta-data/",  # EC2 metadata
    "https://169.254.170.2/v2/credentials",  # ECS / Lambda container credentials
    "https://127.0.0.1:9001/2018-06-01/runtime/invocation/next",  # the Lambda runtime API
    "https://[::ffff:169.254.169.254]/",  # IPv4-mapped IPv6
    "https://[::ffff:a9fe:a9fe]/",
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64
    "https://[2002:a9fe:a9fe::]/",  # 6to4
    "https://[::1]/",
    "https://[fe80::1]/",
    "https://[fd00::1]/",
    "https://2130706433/",  # 127.0.0.1 as one number
    "https://0x7f000001/",
    "https://0177.0.0.1/",  # octal
    "https://127.1/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",  # carrier-grade NAT
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://localhost/",
    "https://user:pw@partner.example/hook",  # credentials in the URL
    "https://partner.example@169.254.169.254/",
    "https://partner.example:8443/hook",  # only port 443
    "https://partner.example:22/",
    "http://partner.example/hook",  # https only
    "ftp://partner.example/",
    "https:///no-host",
    "https://partner.example:99999/",
]


@pytest.mark.parametrize("url", HOSTILE_FORMS)
def test_a_hostile_callback_is_refused_by_its_form(url):
    # When / Then
    with pytest.raises(CallbackRefused):
        check_form(url, allow_loopback=False)


@pytest.mark.parametrize(
    "url",
    ["https://partner.example/hooks", "https://partner.example:443/h?x=1", f"https://{PUBLIC}/"],
)
def test_a_public_https_callback_passes_the_form_check(url):
    # When / Then
    assert check_form(url, allow_loopback=False).hostname


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.170.2",
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "100.100.100.200",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "fe80::1%eth0",
        "fc00::1",
        "0.0.0.0",
    ],
)
def test_a_name_that_resolves_to_a_forbidden_address_is_refused_at_delivery(address):
    # Given a public-looking name whose DNS answer is hostile (rebinding, or a bad record)
    resolve = answers(address)

    # When / Then
    with pytest.raises(CallbackRefused):
        resolve_target("https://partner.example/hook", allow_loopback=False, resolve=resolve)


def test_one_forbidden_answer_among_public_ones_refuses_the_name():
    # Given
    resolve = answers(PUBLIC, "10.0.0.7")

    # When / Then
    with pytest.raises(CallbackRefused):
        resolve_target("https://partner.example/hook", allow_loopback=False, resolve=resolve)


def test_the_target_is_the_checked_address_with_the_name_kept_for_tls_and_host():
    # Given
    resolve = answers(PUBLIC)

    # When
    target = resolve_target(
        "https://partner.example/hooks?x=1", allow_loopback=False, resolve=resolve
    )

    # Then
    assert (target.address, target.host, target.port, target.path) == (
        PUBLIC,
        "partner.example",
        443,
        "/hooks?x=1",
    )
    assert resolve.asked == [("partner.example", 443)]  # type: ignore[attr-defined]


def test_a_name_that_does_not_resolve_is_refused():
    # Given
    def resolve(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    # When / Then
    with pytest.raises(CallbackRefused):
        resolve_target("https://nowhere.example/", allow_loopback=False, resolve=resolve)


def test_loopback_on_any_port_is_allowed_only_when_the_stack_allows_it():
    # Given a local stack's receiver
    url = "http://127.0.0.1:8765/hooks"

    # When
    target = resolve_target(url, allow_loopback=True, resolve=answers("127.0.0.1"))

    # Then
    assert (target.address, target.port) == ("127.0.0.1", 8765)
    with pytest.raises(CallbackRefused):
        check_form(url, allow_loopback=False)


def test_allowing_loopback_still_refuses_private_and_plain_http_elsewhere():
    # When / Then
    with pytest.raises(CallbackRefused):
        resolve_target("http://partner.example/", allow_loopback=True, resolve=answers(PUBLIC))
    with pytest.raises(CallbackRefused):
        check_form("https://169.254.169.254/", allow_loopback=True)
    with pytest.raises(CallbackRefused):
        resolve_target(
            "http://localhost:8000/", allow_loopback=True, resolve=answers("127.0.0.1", "10.0.0.1")
        )


@pytest.mark.parametrize("address", ["169.254.169.254", "127.0.0.1", "10.0.0.1"])
def test_a_refused_delivery_never_connects_and_says_only_that_it_is_not_allowed(
    address, monkeypatch
):
    # Given a name that resolves to a forbidden address, and no connection possible at all
    resolve = answers(address)

    def no_connection(*args, **kwargs):
        raise AssertionError(f"a connection was opened: {args}")

    monkeypatch.setattr(socket, "create_connection", no_connection)

    # When
    outcome = post("https://partner.example/hook", b"{}", {}, resolve=resolve)

    # Then the same words whatever the address: no port or host details to probe with
    assert (outcome.delivered, outcome.status, outcome.error) == (False, None, REFUSED)
