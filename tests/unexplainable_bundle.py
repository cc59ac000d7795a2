"""A bundle the registry accepts but `explain` cannot: the seed champion's schema, with a
Gaussian naive Bayes classifier (neither linear nor a tree ensemble) fitted on made-up rows.

Written with scikit-learn, skops, json and hashlib only, so e2e and integration tests share it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.impute import SimpleImputer
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline

SEED_CHAMPION = Path(__file__).resolve().parents[1] / "layers" / "model" / "bundle"


def naive_bayes_bundle(target: Path, version: str) -> Path:
    """The bundle's directory (`target`, created), every file listed in checksums.sha256."""
    target.mkdir(parents=True)
    schema = json.loads((SEED_CHAMPION / "schema.json").read_text())
    metadata = json.loads((SEED_CHAMPION / "metadata.json").read_text())
    names = [column["name"] for column in schema["columns"]]
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(10.0, 2.0, size=(60, len(names))), columns=names)
    labels = np.array(schema["classes"] * 30)
    estimator = Pipeline([("impute", SimpleImputer()), ("model", GaussianNB())])
    estimator.fit(frame, labels)
    sio.dump(estimator, target / "model.skops")
    schema["version"] = version
    metadata.update(version=version, estimator="SimpleImputer + GaussianNB")
    (target / "schema.json").write_text(json.dumps(schema, indent=2))
    (target / "metadata.json").write_text(json.dumps(metadata, indent=2))
    files = sorted(path.name for path in target.iterdir())
    lines = [f"{hashlib.sha256((target / n).read_bytes()).hexdigest()}  {n}\n" for n in files]
    (target / "checksums.sha256").write_text("".join(lines), encoding="utf-8")
    return target
