"""tests/suite_order.py: under `-n 2 --dist loadgroup`, a group runs on one worker, longest first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    print(os.environ["PYTEST_XDIST_WORKER"])
"""

MARKED_BY_CONFTEST = """
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.parent.name == "sub":
            item.add_marker(pytest.mark.xdist_group("by-conftest"))
"""

SINGLE = """
import pytest


@pytest.mark.parametrize("n", range(6))
def test_single(n):
    pass
"""


def run_suite(tmp_path: Path) -> dict[str, set[str]]:
    """A small suite with this plugin, on two workers: the workers each test ran on."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "sub" / "conftest.py").write_text(MARKED_BY_CONFTEST)
    (tmp_path / "sub" / "test_marked.py").write_text(SINGLE.replace("single", "marked"))
    (tmp_path / "test_single.py").write_text(SINGLE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    plugin, workers = ["-p", "tests.suite_order"], ["-n", "2", "--dist", "loadgroup"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, *workers, "-v", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ran_on: dict[str, set[str]] = {}
    for worker, test in re.findall(r"\[(gw\d)\] \[ *\d+%\] PASSED (\S+)", done.stdout):
        ran_on.setdefault(test.split("::")[0].rsplit("/", 1)[-1], set()).add(worker)
    return ran_on


def test_a_marked_module_and_a_conftest_marked_one_each_run_on_one_worker(tmp_path: Path) -> None:
    # Given / When a module marked xdist_group, one marked by its conftest, and one unmarked
    workers = run_suite(tmp_path)

    # Then each group's 6 tests ran on one worker (pytest-xdist 3.8 alone spreads them
    # under pytest 9); the unmarked tests ran too
    assert len(workers["test_grouped.py"]) == 1
    assert len(workers["test_marked.py"]) == 1
    assert workers["test_single.py"]
