"""A large bundle for size tests: a generated forest of about `target_mb` MB (never committed).

The forest has the default model's 30 columns, so its jobs take the usual sample CSVs. A few
extremely randomised trees are fitted on uniform noise inside the schema's ranges, then copied
until the forest reaches the size: the file a 300 MB production forest would be, built in
seconds instead of minutes. Its predictions mean nothing; its size is the point.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesClassifier

from batchscore_model.bundle import save_bundle
from batchscore_model.derive import build_info
from tests.bundle_metadata import synthetic_metadata

SEED_SCHEMA = Path(__file__).resolve().parents[2] / "layers" / "model" / "bundle" / "schema.json"
ROWS = 25_000
FITTED_TREES = 6
BYTES_PER_TREE = 1_820_000  # measured: one fully grown tree on 25k noisy rows, as skops stores it


def large_forest_bundle(directory: Path, version: str, *, target_mb: int = 300) -> Path:
    columns = json.loads(SEED_SCHEMA.read_text())["columns"]
    rng = np.random.default_rng(20261201)
    frame = pd.DataFrame({c["name"]: rng.uniform(c["min"], c["max"], size=ROWS) for c in columns})
    labels = rng.choice(np.array(["benign", "malignant"], dtype=object), size=ROWS)
    forest = ExtraTreesClassifier(n_estimators=FITTED_TREES, random_state=1, n_jobs=1)
    forest.fit(frame, labels)
    wanted = max(FITTED_TREES, target_mb * 1_000_000 // BYTES_PER_TREE)
    forest.estimators_ = [
        copy.deepcopy(forest.estimators_[i % FITTED_TREES]) for i in range(wanted)
    ]
    forest.n_estimators = wanted
    metadata = synthetic_metadata(
        version,
        f"ExtraTreesClassifier({wanted}) on noise (size test)",
        rows_train=ROWS,
        metric=("roc_auc", 0.5),
        dataset="generated noise in the breast-cancer schema's ranges",
        trained_at=datetime.now(UTC),
    )
    info = build_info(forest, frame, version=version, accepts_missing=False)
    save_bundle(directory, forest, info, metadata)
    return directory
