from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's ~/.config or BATCHSCORE_* variables."""
    for name in list(os.environ):
        if name.startswith("BATCHSCORE_"):
            monkeypatch.delenv(name)
    directory = tmp_path / "config"
    monkeypatch.setenv("BATCHSCORE_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock
