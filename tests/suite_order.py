"""How `pytest -n 2 --dist loadgroup` shares the suite between its two workers (a pytest plugin).

1. `xdist_group` marks work again. pytest-xdist 3.8 groups a test by appending `@<group>` to its
   node id on the worker, through the `_nodeid` attribute that pytest 9 no longer reads (its ids
   are structured: pytest-xdist issue #1386, fix not released). Without this plugin every
   `xdist_group` is silently ignored: the browser tests ran on both workers (two Chromiums, two
   slow stacks) and the sam-build tests on both, one worker waiting on the build's lock.
2. The work units (a whole group, or else one test) go out longest first, by the seconds
   measured below, instead of by their number of tests: the many short unit tests then fill
   in at the end on whichever worker is free, and no long unit starts last.
3. A few groups more (`MODULE_GROUPS`, `SHARED_STACK_GROUPS`): an end-to-end module whose
   module-scoped fixture starts a runtime or submits many jobs runs on one worker, so that
   fixture runs once, not once per worker; likewise the tests of a second session stack.
"""

from __future__ import annotations

from typing import Any

import pytest

# Seconds from `--durations` of tests/e2e and tests/browser on the 2-core machine (2026-12-01,
# load average 12-40, so about 2-3 times a quiet run): a group's whole run, or one test of a
# module. Unlisted tests count as SHORT. Only the order depends on these figures.
SHORT = 0.3
UNIT_SECONDS: dict[str, float] = {
    # groups
    "e2e-access-matrix": 600.0,  # 344 requests; its module fixtures submit a job, start a run
    "browser": 500.0,  # 60 pages in one Chromium, and the slow stack's start
    "e2e-hostile-corpus": 400.0,  # 95 hostile files submitted at once, every one final
    "sam-build": 300.0,  # installs aws-sam-cli on a fresh clone, then `sam build`
    "e2e-retraining": 180.0,  # a runtime of its own, then several training runs
    # one test of a module
    "tests/e2e/test_loadtest.py": 300.0,
    "tests/e2e/test_openapi_fuzz.py": 130.0,
    "tests/e2e/test_worker_killed.py": 130.0,  # a runtime of its own, a lease to run out
    "tests/e2e/test_load.py": 80.0,
    "tests/e2e/test_dropbox.py": 37.0,
    "tests/e2e/test_registry.py": 21.0,
    "tests/e2e/test_readme_tour.py": 21.0,
    "tests/e2e/test_pipeline.py": 17.0,
    "tests/e2e/test_api_concurrency.py": 17.0,
    "tests/e2e/test_webhooks.py": 15.0,
    "tests/e2e/test_drift.py": 14.0,
    "tests/e2e/test_cli.py": 10.0,
    "tests/e2e/test_function_permissions.py": 5.0,
}


# Modules whose module-scoped set-up is costly (a runtime of their own, or a corpus of jobs).
MODULE_GROUPS = {
    "tests/e2e/test_access_matrix.py": "e2e-access-matrix",
    "tests/e2e/test_hostile_corpus.py": "e2e-hostile-corpus",
    "tests/e2e/test_retraining.py": "e2e-retraining",
}
# A session fixture that starts a runtime: its tests join the group of its other users (the
# browser's first-hour test uses `slow_stack` too), so one worker starts it.
SHARED_STACK_GROUPS = {"slow_stack": "browser"}


def expected_seconds(scope: str) -> float:
    """A work unit's expected run time: its group's, else its module's per-test figure."""
    if scope in UNIT_SECONDS:
        return UNIT_SECONDS[scope]
    module = scope.split("::", 1)[0]
    return UNIT_SECONDS.get(module, SHORT)


def group_of(item: pytest.Item) -> str | None:
    """The item's group as pytest-xdist names it (several marks: their names sorted, joined)."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "_".join(sorted(names)) or None


@pytest.hookimpl(trylast=True)  # after every conftest that adds xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The groups above; then, on an xdist worker under `--dist loadgroup`, `<node id>@<group>`
    as pytest-xdist means to."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        group = MODULE_GROUPS.get(item.nodeid.split("::", 1)[0])
        shared = [
            SHARED_STACK_GROUPS[name]
            for name in getattr(item, "fixturenames", ())
            if name in SHARED_STACK_GROUPS
        ]
        if group or shared:
            item.add_marker(pytest.mark.xdist_group(group or shared[0]))
    if not config.getoption("loadgroup", False):  # set on the workers of `--dist loadgroup` only
        return
    for item in items:
        group = group_of(item)
        if group is None or item.nodeid.endswith(f"@{group}"):  # pytest 8, or a fixed xdist
            continue
        from _pytest.nodeid import NodeId  # pytest 9's structured ids

        item._id = NodeId.parse(f"{item.nodeid}@{group}")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `--dist loadgroup`, the longest work units first."""
    if config.getoption("dist", None) != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class LongestFirst(LoadGroupScheduling):
        ordered = False

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the queue is complete at the first assignment
                self.ordered = True
                units = sorted(self.workqueue.items(), key=lambda unit: -expected_seconds(unit[0]))
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return LongestFirst(config, log)
