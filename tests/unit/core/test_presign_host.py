"""Presigned POST and GET name the bucket's regional host on AWS, and the emulator's elsewhere.

`<bucket>.s3.amazonaws.com` answers 307 for hours after a bucket is made, browsers do not follow
redirects on a CORS preflight, and opt-in regions never answer there: uploads from the page fail.
Presigning calls no AWS API, so no emulator is needed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from batchscore_core.storage import DataStore

BUCKET = "batchscore-dev-data-123456789012-eu-west-1"


@pytest.fixture(autouse=True)
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


def hosts(store: DataStore) -> tuple[str | None, str | None]:
    post = store.presigned_post("uploads/u/j/input.csv", max_bytes=10, ttl_seconds=60)
    url, _ = store.presigned_get("results/u/j/a.xlsx", ttl_seconds=60, download_name="a.xlsx")
    return urlsplit(post.url).hostname, urlsplit(url).hostname


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "af-south-1"])
def test_without_an_endpoint_urls_carry_the_regional_host(
    monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    # Given a function on AWS: a region and no endpoint
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_REGION", region)

    # When it presigns an upload and a download
    post_host, get_host = hosts(DataStore(BUCKET))

    # Then both name the bucket's virtual host in its region
    expected = f"{BUCKET}.s3.{region}.amazonaws.com"
    assert (post_host, get_host) == (expected, expected)


def test_with_the_emulator_endpoint_urls_stay_on_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the local runtime's endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")

    # When
    post_host, get_host = hosts(DataStore(BUCKET))

    # Then path-style addresses on the emulator, which is what works with it
    assert (post_host, get_host) == ("127.0.0.1", "127.0.0.1")
