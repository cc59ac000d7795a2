from __future__ import annotations

import hashlib
import hmac

import pytest

from batchscore_core.webhooks import SignatureError, sign, verify

SECRET = b"whsec-test"
BODY = b'{"job_id":"abc","status":"SUCCEEDED"}'
NOW = 1_800_000_000


def test_sign_is_hmac_sha256_hex_over_timestamp_dot_body():
    # Given
    expected = hmac.new(SECRET, b"1800000000." + BODY, hashlib.sha256).hexdigest()

    # When
    signature = sign(SECRET, NOW, BODY)

    # Then
    assert signature == expected


def test_verify_accepts_a_fresh_correct_signature():
    # Given
    header = f"v1={sign(SECRET, NOW, BODY)}"

    # When
    timestamp = verify(SECRET, BODY, header, str(NOW), now=NOW + 10)

    # Then
    assert timestamp == NOW


def test_verify_accepts_any_of_several_v1_signatures():
    # Given a header signed with an old and a new secret during a rotation
    header = f"v1={sign(b'old', NOW, BODY)}, v1={sign(SECRET, NOW, BODY)}"

    # When
    timestamp = verify(SECRET, BODY, header, str(NOW), now=NOW)

    # Then
    assert timestamp == NOW


def test_verify_rejects_a_changed_body():
    # Given
    header = f"v1={sign(SECRET, NOW, BODY)}"

    # When / Then
    with pytest.raises(SignatureError):
        verify(SECRET, BODY + b" ", header, str(NOW), now=NOW)


def test_verify_rejects_another_secret():
    # Given
    header = f"v1={sign(b'someone-else', NOW, BODY)}"

    # When / Then
    with pytest.raises(SignatureError):
        verify(SECRET, BODY, header, str(NOW), now=NOW)


def test_verify_rejects_a_timestamp_outside_the_tolerance():
    # Given a signature made ten minutes ago
    header = f"v1={sign(SECRET, NOW, BODY)}"

    # When / Then
    with pytest.raises(SignatureError):
        verify(SECRET, BODY, header, str(NOW), now=NOW + 600, tolerance_seconds=300)


def test_verify_rejects_a_replayed_signature_with_a_new_timestamp():
    # Given an old signature sent again with the current time
    header = f"v1={sign(SECRET, NOW, BODY)}"

    # When / Then
    with pytest.raises(SignatureError):
        verify(SECRET, BODY, header, str(NOW + 600), now=NOW + 600)


@pytest.mark.parametrize(
    ("signature", "timestamp"),
    [(None, str(NOW)), ("v1=abc", None), ("v1=abc", "yesterday"), ("sha256=abc", str(NOW))],
)
def test_verify_rejects_missing_or_malformed_headers(signature, timestamp):
    # Given headers that are absent, not numbers, or another scheme

    # When / Then
    with pytest.raises(SignatureError):
        verify(SECRET, BODY, signature, timestamp, now=NOW)
