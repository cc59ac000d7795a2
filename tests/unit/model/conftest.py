"""A tiny bundle built for the tests, and a helper that scores CSV text into a workbook."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from batchscore_model.bundle import Bundle, load_bundle, save_bundle
from batchscore_model.derive import build_info
from batchscore_model.engine import EngineOptions, ScoreSummary, score_csv
from tests.bundle_metadata import synthetic_metadata

Scorer = Callable[..., tuple[ScoreSummary, openpyxl.Workbook]]


def training_frame() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(0, 1, 200), "b": rng.normal(5, 2, 200)})
    labels = np.where(frame["a"] + 0.1 * frame["b"] > 0.5, "yes", "no")
    return frame, labels


def make_bundle(directory: Path, *, impute: bool = True) -> Path:
    frame, labels = training_frame()
    steps = [("impute", SimpleImputer())] if impute else []
    pipeline = Pipeline([*steps, ("model", LogisticRegression(random_state=0))]).fit(frame, labels)
    version = "test-1" if impute else "test-strict-1"
    metadata = synthetic_metadata(version, "LogisticRegression")
    info = build_info(pipeline, frame, version=version, accepts_missing=impute)
    save_bundle(directory, pipeline, info, metadata)
    return directory


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bundle(tmp_path_factory.mktemp("bundles") / "bundle")


@pytest.fixture(scope="session")
def bundle(bundle_dir: Path) -> Bundle:
    return load_bundle(bundle_dir)


@pytest.fixture(scope="session")
def strict_bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    return load_bundle(make_bundle(tmp_path_factory.mktemp("strict") / "bundle", impute=False))


@pytest.fixture
def score(bundle: Bundle, tmp_path: Path) -> Scorer:
    """Score CSV text (str is UTF-8 encoded) and open the result with openpyxl."""

    def run(
        content: str | bytes,
        *,
        using: Bundle | None = None,
        job_id: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        **options: object,
    ) -> tuple[ScoreSummary, openpyxl.Workbook]:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = tmp_path / "out.xlsx"
        summary = score_csv(
            io.BytesIO(data),
            using or bundle,
            target,
            job_id=job_id,
            progress=progress,
            options=EngineOptions.model_validate(options),
        )
        return summary, openpyxl.load_workbook(target)

    return run
