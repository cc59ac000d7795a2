from __future__ import annotations

import hashlib
import hmac

import pytest

from batchscore_core.webhooks import SignatureError, sign, signed_headers, verify

SECRET = b"whsec-test"
BODY = b'{"job_id":"abc","status":"SUCCEEDED"}'
NOW = 1_800_000_000
OWNER = "partner-a"
DELIVERY = "5f0c2b9e4d1a47c6a8e3b2f1d0c9e8a7"


def signature(secret: bytes = SECRET, *, owner: str = OWNER, delivery: str = DELIVERY) -> str:
    return f"v2={sign(secret, NOW, BODY, owner=owner, delivery=delivery)}"


def check(header: str | None, *, timestamp: str | None = str(NOW), **overrides):
    body = overrides.pop("body", BODY)
    options = {"owner": OWNER, "delivery": DELIVERY, "now": NOW, **overrides}
    return verify(SECRET, body, header, timestamp, **options)


def test_sign_is_hmac_sha256_hex_over_timestamp_owner_delivery_and_body():
    # Given
    signed = f"1800000000.{OWNER}.{DELIVERY}.".encode() + BODY
    expected = hmac.new(SECRET, signed, hashlib.sha256).hexdigest()

    # When
    result = sign(SECRET, NOW, BODY, owner=OWNER, delivery=DELIVERY)

    # Then
    assert result == expected


def test_the_headers_carry_the_signature_and_what_it_covers():
    # When
    headers = signed_headers(
        SECRET, BODY, owner=OWNER, event="Job Succeeded", delivery=DELIVERY, timestamp=NOW
    )

    # Then
    assert headers["X-Batchscore-Signature"] == signature()
    assert (headers["X-Batchscore-Owner"], headers["X-Batchscore-Delivery"]) == (OWNER, DELIVERY)
    assert headers["X-Batchscore-Timestamp"] == str(NOW)


def test_verify_accepts_a_fresh_correct_signature():
    # When
    timestamp = check(signature(), now=NOW + 10)

    # Then
    assert timestamp == NOW


def test_verify_accepts_any_of_several_signatures():
    # Given a header signed with an old and a new secret during a rotation
    header = f"{signature(b'old')}, {signature()}"

    # When / Then
    assert check(header) == NOW


@pytest.mark.parametrize(
    "changed",
    [
        {"body": BODY + b" "},
        {"owner": "partner-b"},  # another partner replaying it as theirs
        {"delivery": "0" * 32},  # a changed delivery id (the receiver's de-duplication key)
    ],
)
def test_verify_rejects_a_change_to_anything_signed(changed):
    # When / Then
    with pytest.raises(SignatureError):
        check(signature(), **changed)


def test_verify_rejects_another_secret():
    # When / Then
    with pytest.raises(SignatureError):
        check(signature(b"someone-else"))


def test_verify_rejects_a_timestamp_outside_the_tolerance():
    # When / Then
    with pytest.raises(SignatureError):
        check(signature(), now=NOW + 600, tolerance_seconds=300)


def test_verify_rejects_a_replayed_signature_with_a_new_timestamp():
    # When / Then
    with pytest.raises(SignatureError):
        check(signature(), timestamp=str(NOW + 600), now=NOW + 600)


@pytest.mark.parametrize(
    ("header", "timestamp"),
    [
        (None, str(NOW)),
        ("v2=abc", None),
        ("v2=abc", "yesterday"),
        ("sha256=abc", str(NOW)),
        ("v2=ünïcödé", str(NOW)),  # non-ASCII: compare_digest on str would raise TypeError
        ("v2=" + "é" * 64, str(NOW)),
        ("v2=abc", "١٨٠٠٠٠٠٠٠٠"),  # Arabic-Indic digits: int() would take them
    ],
)
def test_verify_rejects_missing_or_malformed_headers_with_signature_error(header, timestamp):
    # When / Then
    with pytest.raises(SignatureError):
        check(header, timestamp=timestamp)


def test_verify_rejects_a_missing_delivery_id():
    # When / Then
    with pytest.raises(SignatureError):
        check(signature(), delivery=None)
