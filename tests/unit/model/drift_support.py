"""A synthetic population for the drift tests: the reference and the job are independent samples.

Columns of the shapes real data has: normal, skewed, discrete with ties, zero-inflated (with
missing values), and a categorical column. A fixed function stands in for the model.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from batchscore_model.bundle import Bundle, load_bundle
from batchscore_model.drift import DriftMonitor, DriftResult
from batchscore_model.drift_reference import Reference, build_reference
from batchscore_model.schema import ColumnSpec, ModelInfo, OutputSpec, default_bundle_dir
from training.train import load_dataset, train

NUMERIC = ["normal", "skewed", "counts", "zeros"]
CATEGORIES = ["a", "b", "c", "d", "e"]
CATEGORY_SHARES = [0.4, 0.3, 0.15, 0.1, 0.05]
TRAINING_ROWS = 500
HOLDOUT_ROWS = 150
CHUNK_ROWS = 20_000  # EngineOptions.chunk_rows

INFO = ModelInfo(
    version="synthetic-1",
    task="classification",
    columns=[ColumnSpec(name=name, dtype="number") for name in NUMERIC]
    + [ColumnSpec(name="colour", dtype="category", categories=CATEGORIES)],
    outputs=[
        OutputSpec(name="prediction", dtype="string", description="predicted class"),
        OutputSpec(name="probability_no", dtype="number", description="p(no)"),
        OutputSpec(name="probability_yes", dtype="number", description="p(yes)"),
    ],
    classes=["no", "yes"],
    accepts_missing=True,
)


def population(rng: np.random.Generator, rows: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "normal": rng.normal(10.0, 2.0, rows),
            "skewed": rng.lognormal(0.0, 1.0, rows),
            "counts": rng.poisson(3.0, rows).astype(np.float64),
            "zeros": np.where(rng.random(rows) < 0.3, 0.0, rng.exponential(1.0, rows)),
            "colour": rng.choice(np.array(CATEGORIES, dtype=object), rows, p=CATEGORY_SHARES),
        }
    )
    frame.loc[rng.random(rows) < 0.05, "zeros"] = np.nan
    return frame


def predict(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    score = (frame["normal"] - 10.0) / 2.0 + np.log(frame["skewed"]) + (frame["colour"] == "a")
    yes = 1.0 / (1.0 + np.exp(-score.to_numpy(dtype=np.float64)))
    labels = np.where(yes > 0.5, "yes", "no").astype(object)
    return labels, np.column_stack([1.0 - yes, yes])


def synthetic_reference(rng: np.random.Generator) -> Reference:
    training = population(rng, TRAINING_ROWS)
    labels, probabilities = predict(population(rng, HOLDOUT_ROWS))
    return build_reference(training, INFO, labels, probabilities)


def chunks(frame: pd.DataFrame, size: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), size):
        yield frame.iloc[start : start + size]


def monitor_job(
    reference: Reference | None,
    frame: pd.DataFrame,
    labels: np.ndarray,
    probabilities: np.ndarray | None,
    size: int = CHUNK_ROWS,
) -> DriftResult:
    monitor = DriftMonitor(reference)
    for start in range(0, len(frame), size):
        stop = start + size
        chunk_probabilities = None if probabilities is None else probabilities[start:stop]
        monitor.update(frame.iloc[start:stop], labels[start:stop], chunk_probabilities)
    return monitor.result()


def synthetic_job(seed: int, rows: int) -> DriftResult:
    """A fresh reference and an unshifted job of `rows` rows, both drawn with `seed`."""
    rng = np.random.default_rng(seed)
    reference = synthetic_reference(rng)
    job = population(rng, rows)
    labels, probabilities = predict(job)
    return monitor_job(reference, job, labels, probabilities)


def shipped_bundle() -> Bundle:
    return load_bundle(default_bundle_dir())


def shipped_training_frame() -> pd.DataFrame:
    """The rows the shipped bundle's reference was built from (training is deterministic)."""
    return train(load_dataset()).train_frame.reset_index(drop=True)


def resample(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return frame.iloc[rng.integers(0, len(frame), rows)].reset_index(drop=True)
