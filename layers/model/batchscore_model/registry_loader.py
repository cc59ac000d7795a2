"""Bundles from the registry: fetched at first use, cached in /tmp by version, kept in memory.

A version is immutable, so a copy on disk or in memory never goes stale. Memory holds at most
`max_in_memory` bundles and disk at most `max_on_disk` versions; the least recently used go
first. Every load from disk verifies the checksums again (load_bundle does it).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from batchscore_model.bundle import Bundle, load_bundle
from batchscore_model.errors import BundleError

Fetch = Callable[[str, str, Path], None]
"""fetch(name, version, target_dir): write the version's files into target_dir."""

_COMPLETE = ".complete"


class BundleCache:
    def __init__(
        self, fetch: Fetch, root: Path, *, max_in_memory: int = 2, max_on_disk: int = 4
    ) -> None:
        self._fetch = fetch
        self._root = root
        self._max_in_memory = max(1, max_in_memory)
        self._max_on_disk = max(self._max_in_memory, max_on_disk)
        self._loaded: OrderedDict[tuple[str, str], Bundle] = OrderedDict()
        self._lock = threading.Lock()
        self.last_load_seconds: float | None = None

    def get(self, name: str, version: str) -> Bundle:
        key = (name, version)
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
            started = time.monotonic()
            directory = self._on_disk(name, version)
            bundle = load_bundle(directory)
            if bundle.version != version:
                raise BundleError(f"{directory}: holds {bundle.version!r}, not {version!r}")
            self._loaded[key] = bundle
            while len(self._loaded) > self._max_in_memory:
                self._loaded.popitem(last=False)
            self.last_load_seconds = time.monotonic() - started
            return bundle

    def cached_versions(self) -> list[tuple[str, str]]:
        """In memory, least recently used first."""
        return list(self._loaded)

    def _on_disk(self, name: str, version: str) -> Path:
        directory = self._root / name / version
        if (directory / _COMPLETE).is_file():
            (directory / _COMPLETE).touch()  # its mtime is the disk cache's LRU clock
            return directory
        self._make_room()
        # Its own staging folder: processes sharing a /tmp (the local runtime's workers) may
        # fetch the same version at once; the first rename wins, the others use its copy.
        staging = directory.with_name(f"{version}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        staging.mkdir(parents=True)
        try:
            self._fetch(name, version, staging)
            (staging / _COMPLETE).touch()
            try:
                staging.rename(directory)
            except OSError:
                if not (directory / _COMPLETE).is_file():
                    raise
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return directory

    def _make_room(self) -> None:
        """Drop the least recently used versions on disk that are not in memory."""
        complete = sorted(
            (marker.stat().st_mtime, marker.parent)
            for marker in self._root.glob(f"*/*/{_COMPLETE}")
        )
        in_memory = {self._root / name / version for name, version in self._loaded}
        excess = len(complete) - (self._max_on_disk - 1)
        for _, directory in complete:
            if excess <= 0:
                break
            if directory not in in_memory:
                shutil.rmtree(directory, ignore_errors=True)
                excess -= 1
