"""`skops.io` imported without its import-time crawls, trusting exactly the same types.

On import, skops computes its default trusted types, and that was most of a scoring function's
cold start, for a bundle that names four classes:
- `sklearn.utils.all_estimators()` imports every public scikit-learn module (SVMs, clustering,
  datasets, ...) to list the estimators;
- the public ufuncs of numpy and `scipy.special` are named by searching every loaded module for
  each of them (about 400 searches through some 2,000 modules in a handler);
- `_BinMapper` is named by importing `sklearn.ensemble` whole.
These lists depend only on the installed libraries, so they are shipped beside this module
(`skops_trusted.json`, written by `python -m batchscore_model.skops_io` from skops' own import)
and answered from it while `skops.io` is imported. When the libraries' versions differ from the
file's, or skops is already imported, skops imports as usual. Loading still imports only the
modules a bundle names, as skops always does.
"""

from __future__ import annotations

import importlib
import importlib.abc
import json
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

TRUSTED_FILE = Path(__file__).with_name("skops_trusted.json")
LIBRARIES = ("skops", "sklearn", "scipy", "numpy")
# Imported by skops only to name a type it trusts; the shipped name stands in for it.
SKIPPED_PACKAGE = "sklearn.ensemble"

_IMPORTING = threading.Lock()
PUBLIC_TYPE_NAMES = "get_public_type_names"  # skops.io._utils' helper, read by _trusted_types
PublicTypeNames = Callable[[ModuleType, type], list[str]]


def skops_io() -> ModuleType:
    """The `skops.io` module, imported with the shipped lists when they match the libraries."""
    with _IMPORTING:  # one thread in the window; other threads' imports are never blocked
        return _import_skops_io()


def _import_skops_io() -> ModuleType:
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    shipped = shipped_lists()
    if shipped is None:
        import skops.io

        return skops.io
    import sklearn.utils

    crawl = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = _no_estimators  # read once, by skops.io._trusted_types
    finder = _ShippedTrust(shipped["public_type_names"])
    sys.meta_path.insert(0, finder)
    try:
        import skops.io
        from skops.io import _trusted_types
    finally:
        sys.meta_path.remove(finder)
        sklearn.utils.all_estimators = crawl
        finder.restore()
    # In place: skops.io._general imported these very list objects by name.
    _trusted_types.SKLEARN_ESTIMATOR_TYPE_NAMES[:] = shipped["estimators"]
    _trusted_types.SKLEARN_INTERNAL_TYPE_NAMES[:] = shipped["internal"]
    return skops.io


def library_versions() -> dict[str, str]:
    return {name: str(importlib.import_module(name).__version__) for name in LIBRARIES}


def shipped_lists() -> dict[str, Any] | None:
    """The shipped lists if they were written for the installed libraries, else None."""
    try:
        shipped: dict[str, Any] = json.loads(TRUSTED_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if shipped.get("versions") != library_versions():
        return None
    return shipped


def imported_lists() -> dict[str, Any]:
    """What skops computes when it is imported as usual, first (a fresh process)."""
    if "skops.io" in sys.modules:
        raise RuntimeError("skops.io is already imported: its lists may be the shipped ones")
    recorder = _Recorder()
    sys.meta_path.insert(0, recorder)
    try:
        from skops.io import _trusted_types
    finally:
        sys.meta_path.remove(recorder)
        recorder.restore()
    return {
        "versions": library_versions(),
        "estimators": list(_trusted_types.SKLEARN_ESTIMATOR_TYPE_NAMES),
        "internal": list(_trusted_types.SKLEARN_INTERNAL_TYPE_NAMES),
        "public_type_names": recorder.answers,
    }


def trusted_lists() -> dict[str, list[str]]:
    """Every default list skops trusts, as the imported `skops.io` holds them."""
    from skops.io import _trusted_types

    return {
        name: sorted(map(str, value))
        for name, value in vars(_trusted_types).items()
        if name.endswith("_TYPE_NAMES")
    }


def _key(module: ModuleType, oftype: type) -> str:
    return f"{module.__name__} {oftype.__module__}.{oftype.__qualname__}"


class _TrustedTypesHook(importlib.abc.MetaPathFinder):
    """Wraps `skops.io._utils.get_public_type_names` just before `_trusted_types` runs."""

    def __init__(self) -> None:
        self._utils: ModuleType | None = None
        self._original: PublicTypeNames | None = None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname == "skops.io._trusted_types" and self._utils is None:
            self._utils = sys.modules["skops.io._utils"]  # imported by skops.io._audit before
            self._original = getattr(self._utils, PUBLIC_TYPE_NAMES)
            setattr(self._utils, PUBLIC_TYPE_NAMES, self._wrap(self._original))
        return None  # the usual finders load every module

    def _wrap(self, original: PublicTypeNames) -> PublicTypeNames:
        raise NotImplementedError

    def restore(self) -> None:
        if self._utils is not None:
            setattr(self._utils, PUBLIC_TYPE_NAMES, self._original)
            trusted = sys.modules.get("skops.io._trusted_types")
            if trusted is not None:
                setattr(trusted, PUBLIC_TYPE_NAMES, self._original)


class _ShippedTrust(_TrustedTypesHook):
    def __init__(self, answers: dict[str, list[str]]) -> None:
        super().__init__()
        self._answers = answers
        self._thread = threading.get_ident()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname == SKIPPED_PACKAGE and threading.get_ident() == self._thread:
            raise ModuleNotFoundError(f"{fullname}: named from {TRUSTED_FILE.name}", name=fullname)
        return super().find_spec(fullname, path, target)

    def _wrap(self, original: PublicTypeNames) -> PublicTypeNames:
        def shipped(module: ModuleType, oftype: type) -> list[str]:
            answer = self._answers.get(_key(module, oftype))
            return list(answer) if answer is not None else original(module, oftype)

        return shipped


class _Recorder(_TrustedTypesHook):
    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, list[str]] = {}

    def _wrap(self, original: PublicTypeNames) -> PublicTypeNames:
        def recorded(module: ModuleType, oftype: type) -> list[str]:
            answer = original(module, oftype)
            self.answers[_key(module, oftype)] = list(answer)
            return answer

        return recorded


def _no_estimators(type_filter: Any = None) -> list[tuple[str, type]]:
    return []


def main() -> int:
    """Write `skops_trusted.json` for the installed libraries (run in a fresh process)."""
    lists = imported_lists()
    TRUSTED_FILE.write_text(json.dumps(lists, indent=1) + "\n", encoding="utf-8")
    print(f"{TRUSTED_FILE}: {len(lists['estimators'])} estimators, {lists['versions']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
