"""skops imported through `batchscore_model.skops_io` trusts exactly what skops trusts by itself.

Each side runs in a fresh interpreter: skops computes its lists once, at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SHOW_LISTS = """
import json, sys
from batchscore_model import skops_io
if sys.argv[1] == "shipped":
    assert skops_io.shipped_lists() is not None, "skops_trusted.json is for other versions"
    skops_io.skops_io()
else:
    import skops.io
print(json.dumps(skops_io.trusted_lists()))
"""


def fresh(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "model")}
    done = subprocess.run(
        [sys.executable, "-P", "-c", code, *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_shipped_lists_are_the_ones_skops_computes_on_import() -> None:
    # Given skops imported as usual, and through the shipped lists, each in a fresh process
    usual = json.loads(fresh(SHOW_LISTS, "usual"))

    # When the shipped import's default trusted lists are read
    shipped = json.loads(fresh(SHOW_LISTS, "shipped"))

    # Then every list is the same (a library upgrade that changes one fails here:
    # regenerate with `python -m batchscore_model.skops_io`)
    assert shipped == usual
    assert len(usual["SKLEARN_ESTIMATOR_TYPE_NAMES"]) > 100


def test_the_shipped_import_leaves_scikit_learn_whole_and_loads_a_forest() -> None:
    # Given skops imported through the shipped lists (which skip sklearn.ensemble meanwhile)
    code = """
import sys
import sklearn.utils
from batchscore_model import skops_io
crawl = sklearn.utils.all_estimators
sio = skops_io.skops_io()
print("ensemble" if "sklearn.ensemble" in sys.modules else "no ensemble")
print("restored" if sklearn.utils.all_estimators is crawl else "patched")
print("finders clean" if all("skops_io" not in type(f).__module__ for f in sys.meta_path) else "hook left")
from sklearn.ensemble import RandomForestClassifier
forest = RandomForestClassifier(n_estimators=2, random_state=0).fit([[0.0], [1.0]], [0, 1])
loaded = sio.loads(sio.dumps(forest), trusted=["numpy.dtype", "sklearn.tree._tree.Tree"])
print(type(loaded).__name__, loaded.predict([[1.0]])[0])
"""
    # When it is used after import
    lines = fresh(code).splitlines()

    # Then scikit-learn is untouched and a forest (a default-trusted estimator) loads
    assert lines == [
        "no ensemble",
        "restored",
        "finders clean",
        "RandomForestClassifier 1",
    ]
