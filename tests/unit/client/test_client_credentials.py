from __future__ import annotations

import stat

from batchscore_client.credentials import Credentials, CredentialStore


def test_saved_credentials_are_readable_by_their_owner_only(tmp_path):
    # Given
    store = CredentialStore(tmp_path / "batchscore" / "credentials.json")

    # When
    store.save(Credentials(kind="user", token="t", expires_at=1.0))

    # Then
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_saved_credentials_load_back(tmp_path):
    # Given
    store = CredentialStore(tmp_path / "credentials.json")
    saved = Credentials(kind="client", token="t", expires_at=5.0, client_id="c")
    store.save(saved)

    # When
    loaded = store.load()

    # Then
    assert loaded == saved


def test_missing_or_corrupt_credentials_load_as_none(tmp_path):
    # Given
    (tmp_path / "credentials.json").write_text("{not json")

    # When
    loaded = CredentialStore(tmp_path / "credentials.json").load()

    # Then
    assert loaded is None


def test_a_token_counts_as_expired_a_minute_early():
    # Given
    credentials = Credentials(kind="user", token="t", expires_at=1000.0)

    # When / Then
    assert credentials.expired(now=945.0)
    assert not credentials.expired(now=935.0)
