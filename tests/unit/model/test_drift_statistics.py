"""The drift statistics: no false alarms on unshifted jobs, the half-deviation shift found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from batchscore_model.drift import DriftMonitor
from batchscore_model.drift_reference import Reference
from tests.unit.model.drift_support import (
    NUMERIC,
    monitor_job,
    population,
    predict,
    resample,
    shipped_bundle,
    shipped_training_frame,
    synthetic_job,
    synthetic_reference,
)


def reference_and_job(seed: int, rows: int) -> tuple[Reference, pd.DataFrame]:
    """A fresh reference and an unshifted job of `rows` rows, both drawn with `seed`."""
    rng = np.random.default_rng(seed)
    return synthetic_reference(rng), population(rng, rows)


@pytest.fixture(scope="module")
def shipped():
    return shipped_bundle(), shipped_training_frame()


@pytest.mark.slow
def test_jobs_of_100_unshifted_rows_are_almost_never_flagged() -> None:
    # Given: 300 independent (reference, job) pairs from one population, 100 job rows each
    results = [synthetic_job(seed, 100) for seed in range(300)]
    # When
    flagged = [r for r in results if r.status != "ok"]
    # Then: a fixed "PSI > 0.1" rule would flag most of them; here at most 1% are flagged
    assert len(flagged) <= 3
    assert not [r for r in results if r.status == "drift"]


@pytest.mark.slow
def test_jobs_of_100_000_unshifted_rows_are_not_flagged() -> None:
    # Given: 12 independent (reference, job) pairs, 100,000 job rows each, in engine-sized chunks
    results = [synthetic_job(seed, 100_000) for seed in range(12)]
    # Then
    assert [r.status for r in results] == ["ok"] * 12


@pytest.mark.slow
@pytest.mark.parametrize("rows", [100, 100_000])
def test_the_shipped_reference_does_not_flag_rows_resampled_from_its_training_data(
    shipped, rows: int
) -> None:
    # Given
    bundle, training = shipped
    seeds = range(100) if rows == 100 else range(3)
    flagged = []
    for seed in seeds:
        job = resample(training, rows, seed)
        prediction = bundle.predict_frame(job)
        # When
        result = monitor_job(bundle.reference, job, prediction.labels, prediction.probabilities)
        flagged += result.flagged
    # Then: at most 1% of the jobs have a feature flagged
    assert len(flagged) <= len(seeds) // 100


@pytest.mark.parametrize("column", NUMERIC)
def test_half_a_deviation_shift_in_one_column_over_1000_rows_is_drift_naming_it(
    column: str,
) -> None:
    detected = 0
    for seed in range(20):
        # Given: an unshifted reference and a job whose one column moved by half its deviation
        reference, job = reference_and_job(seed, 1000)
        job[column] += 0.5 * job[column].std()
        labels, probabilities = predict(job)
        # When
        result = monitor_job(reference, job, labels, probabilities)
        # Then
        detected += result.status == "drift" and result.flagged == [column]
    assert detected == 20


def test_half_a_deviation_shift_in_each_shipped_feature_is_found(shipped) -> None:
    bundle, training = shipped
    for number, column in enumerate(training.columns):
        # Given
        job = resample(training, 1000, seed=number)
        job[column] += 0.5 * training[column].std()
        prediction = bundle.predict_frame(job)
        # When
        result = monitor_job(bundle.reference, job, prediction.labels, prediction.probabilities)
        # Then
        assert result.status == "drift", column
        assert result.flagged == [column]
        assert result.to_job()["features"][0]["name"] == column


def test_unseen_categories_are_counted_named_and_flagged_when_common() -> None:
    # Given: a job where a fifth of the colours were never seen in training
    reference, job = reference_and_job(1, 2000)
    job.loc[:399, "colour"] = "violet"
    job.loc[400, "colour"] = "teal"
    labels, probabilities = predict(job)
    # When
    result = monitor_job(reference, job, labels, probabilities, size=700)
    # Then
    colour = next(d for d in result.features if d.name == "colour")
    assert colour.status == "drift"
    assert colour.unseen == pytest.approx(401 / 2000)
    assert colour.unseen_examples == [("violet", 400), ("teal", 1)]
    assert "unseen categories" in [b.label for b in colour.bins]


def test_a_rare_unseen_category_is_reported_without_a_false_alarm() -> None:
    # Given
    reference, job = reference_and_job(2, 5000)
    job.loc[7, "colour"] = "teal"
    labels, probabilities = predict(job)
    # When
    result = monitor_job(reference, job, labels, probabilities)
    # Then
    colour = next(d for d in result.features if d.name == "colour")
    assert colour.status == "ok"
    assert colour.unseen_examples == [("teal", 1)]


def test_an_all_missing_column_is_drift_with_its_missing_rate() -> None:
    # Given
    reference, job = reference_and_job(3, 1000)
    job["normal"] = np.nan
    labels, probabilities = predict(job.fillna({"normal": 10.0}))
    # When
    result = monitor_job(reference, job, labels, probabilities)
    # Then
    normal = next(d for d in result.features if d.name == "normal")
    assert normal.status == "drift"
    assert normal.missing_training == 0.0
    assert normal.missing_job == 1.0
    assert normal.job_min is None
    assert normal.outside_range == 0.0
    assert result.flagged == ["normal"]


def test_a_column_absent_from_the_chunk_counts_as_missing() -> None:
    # Given: an optional column the file did not have
    reference, job = reference_and_job(4, 1000)
    labels, probabilities = predict(job)
    # When
    result = monitor_job(reference, job.drop(columns=["counts", "colour"]), labels, probabilities)
    # Then
    assert {"counts", "colour"} <= set(result.flagged)
    assert all(d.missing_job == 1.0 for d in result.features if d.name in {"counts", "colour"})


def test_values_beyond_the_training_range_are_reported() -> None:
    # Given: 3% of the job's values far above anything seen in training
    reference, job = reference_and_job(5, 1000)
    job.loc[:29, "skewed"] = 1e6
    labels, probabilities = predict(job)
    # When
    result = monitor_job(reference, job, labels, probabilities)
    # Then
    skewed = next(d for d in result.features if d.name == "skewed")
    assert 0.03 <= skewed.above_max < 0.04
    assert skewed.below_min == 0.0
    assert skewed.job_max == pytest.approx(1e6)


def test_a_shifted_prediction_distribution_is_drift() -> None:
    # Given: inputs that look fine, and predictions that do not
    reference, job = reference_and_job(6, 1000)
    labels, probabilities = predict(job.assign(normal=job["normal"] + 4.0))
    # When
    result = monitor_job(reference, job, labels, probabilities)
    # Then
    assert result.prediction is not None
    assert result.prediction.status == "drift"
    assert result.to_job()["prediction"]["status"] == "drift"
    assert result.status == "drift"


def test_the_chunk_size_does_not_change_the_result() -> None:
    # Given
    reference, job = reference_and_job(7, 5000)
    labels, probabilities = predict(job)
    # When
    whole = monitor_job(reference, job, labels, probabilities, size=5000)
    pieces = monitor_job(reference, job, labels, probabilities, size=333)
    # Then
    assert pieces.to_job() == whole.to_job()
    assert pieces.features == whole.features


def test_the_monitor_state_does_not_grow_with_the_rows() -> None:
    # Given
    reference, job = reference_and_job(8, 2000)
    monitor = DriftMonitor(reference)
    labels, probabilities = predict(job)
    monitor.update(job.iloc[:1000], labels[:1000], probabilities[:1000])
    sizes = monitor._numeric.counts.shape, len(monitor._categorical[0].counts)
    # When
    for _ in range(20):
        monitor.update(job, labels, probabilities)
    # Then
    assert (monitor._numeric.counts.shape, len(monitor._categorical[0].counts)) == sizes
    assert monitor.rows == 41_000


def test_the_job_drift_object_has_exactly_the_contract_keys() -> None:
    # Given / When
    drift = synthetic_job(9, 500).to_job()
    # Then
    assert set(drift) == {"status", "features", "prediction"}
    assert {tuple(sorted(f)) for f in drift["features"]} == {
        ("measure", "name", "status", "threshold", "value")
    }
    assert set(drift["prediction"]) == {"measure", "value", "status"}
    assert len(drift["features"]) == 5


def test_without_a_reference_drift_is_unavailable() -> None:
    # Given
    monitor = DriftMonitor(None)
    job = population(np.random.default_rng(10), 100)
    labels, probabilities = predict(job)
    # When
    monitor.update(job, labels, probabilities)
    # Then
    assert monitor.result().to_job() == {
        "status": "unavailable",
        "features": [],
        "prediction": {"measure": None, "value": None, "status": "unavailable"},
    }


def test_a_job_with_no_rows_is_unavailable() -> None:
    # Given / When
    result = DriftMonitor(synthetic_reference(np.random.default_rng(11))).result()
    # Then
    assert result.status == "unavailable"
    assert result.reason == "no rows were scored"


def test_without_the_probabilities_the_prediction_is_unavailable_not_drifted() -> None:
    # Given: a binary classifier's reference, and chunks passed with labels only
    reference, job = reference_and_job(12, 1000)
    labels, _ = predict(job)
    # When
    result = monitor_job(reference, job, labels, None)
    # Then
    assert result.to_job()["prediction"] == {
        "measure": None,
        "value": None,
        "status": "unavailable",
    }
    assert result.status == "ok"
