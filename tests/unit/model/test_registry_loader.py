"""The registry's bundle cache: fetched once per version, verified, least recently used dropped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from batchscore_model.checksums import CHECKSUMS_FILE, write_checksums
from batchscore_model.errors import BundleError
from batchscore_model.registry_loader import BundleCache
from batchscore_model.schema import default_bundle_dir

RELABELLED = (
    ("schema.json", "version"),
    ("metadata.json", "version"),
    ("reference.json", "model_version"),
)


class Fetcher:
    """Copies the seed champion under any version name, counting the fetches."""

    def __init__(self, tamper: bool = False) -> None:
        self.fetched: list[tuple[str, str]] = []
        self.tamper = tamper

    def __call__(self, name: str, version: str, target: Path) -> None:
        self.fetched.append((name, version))
        for path in default_bundle_dir().iterdir():
            shutil.copy(path, target / path.name)
        for file_name, field in RELABELLED:
            if (target / file_name).is_file():
                document = json.loads((target / file_name).read_text())
                document[field] = version
                (target / file_name).write_text(json.dumps(document))
        write_checksums(target, [p.name for p in target.iterdir() if p.name != CHECKSUMS_FILE])
        if self.tamper:
            (target / "metadata.json").write_text("{}")


def test_a_version_is_fetched_once_and_then_served_from_memory(tmp_path: Path) -> None:
    # Given an empty cache
    fetch = Fetcher()
    cache = BundleCache(fetch, tmp_path)

    # When the same version is asked for twice
    first = cache.get("m", "v1")
    again = cache.get("m", "v1")

    # Then it was fetched once, and the same bundle object answered
    assert fetch.fetched == [("m", "v1")]
    assert again is first
    assert first.version == "v1"


def test_the_least_recently_used_bundle_leaves_memory_but_stays_on_disk(tmp_path: Path) -> None:
    # Given a cache of two bundles in memory, holding v1 and v2, v1 used last
    fetch = Fetcher()
    cache = BundleCache(fetch, tmp_path, max_in_memory=2, max_on_disk=4)
    cache.get("m", "v1")
    cache.get("m", "v2")
    cache.get("m", "v1")

    # When a third version is loaded
    cache.get("m", "v3")

    # Then v2 left memory, and loading it again reads the disk copy without fetching
    assert cache.cached_versions() == [("m", "v1"), ("m", "v3")]
    cache.get("m", "v2")
    assert fetch.fetched == [("m", "v1"), ("m", "v2"), ("m", "v3")]


def test_disk_keeps_at_most_its_bound_of_versions(tmp_path: Path) -> None:
    # Given a cache that keeps one bundle in memory and two on disk
    cache = BundleCache(Fetcher(), tmp_path, max_in_memory=1, max_on_disk=2)

    # When three versions are loaded one after the other
    for version in ("v1", "v2", "v3"):
        cache.get("m", version)

    # Then only two version directories remain
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["v2", "v3"]


def test_a_fetched_bundle_that_fails_its_checksums_is_refused_and_not_kept(tmp_path: Path) -> None:
    # Given a fetch that delivers a file changed after its checksums were written
    cache = BundleCache(Fetcher(tamper=True), tmp_path)

    # When it is loaded
    with pytest.raises(BundleError):
        cache.get("m", "v1")

    # Then nothing is served from memory
    assert cache.cached_versions() == []
