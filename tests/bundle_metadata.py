"""`metadata.json` of a bundle a test builds from synthetic data (no fingerprint, no libraries)."""

from __future__ import annotations

from datetime import UTC, datetime

from batchscore_model.schema import BundleMetadata

TRAINED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def synthetic_metadata(
    version: str,
    estimator: str,
    *,
    rows_train: int = 200,
    rows_holdout: int = 0,
    metric: tuple[str, float] = ("accuracy", 0.9),
    dataset: str = "synthetic",
    trained_at: datetime = TRAINED_AT,
) -> BundleMetadata:
    """`metric`: the primary metric and its holdout value."""
    name, value = metric
    return BundleMetadata(
        version=version,
        trained_at=trained_at,
        estimator=estimator,
        dataset=dataset,
        training_data_fingerprint="0" * 64,
        rows_train=rows_train,
        rows_holdout=rows_holdout,
        primary_metric=name,
        holdout_metrics={name: value},
        library_versions={},
    )
