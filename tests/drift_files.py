"""Input files for the drift tests through the pipeline: like the training data, or shifted.

Rows drawn (fixed seed) from scikit-learn's breast-cancer data, the default model's training
source; the shifted file adds half a standard deviation to one feature.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

SHIFTED_FEATURE = "mean texture"
ROWS = 1000


def _rows(rows: int, seed: int) -> pd.DataFrame:
    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"])
    picked = np.random.default_rng(seed).integers(0, len(frame), rows)
    return frame.iloc[picked].reset_index(drop=True)


def unshifted_csv(rows: int = ROWS, seed: int = 7) -> bytes:
    return _rows(rows, seed).to_csv(index=False).encode()


def shifted_csv(rows: int = ROWS, seed: int = 8, feature: str = SHIFTED_FEATURE) -> bytes:
    frame = _rows(rows, seed)
    frame[feature] += 0.5 * frame[feature].std()
    return frame.to_csv(index=False).encode()
