"""Reasons per row: exact contributions for linear models and tree ensembles, refused otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from batchscore_model import explain
from batchscore_model.bundle import Bundle, load_bundle
from batchscore_model.derive import build_info
from batchscore_model.engine import EngineOptions
from batchscore_model.errors import InputRejected
from batchscore_model.explain import ExplainUnsupported, explainer_for
from tests.bundle_metadata import synthetic_metadata
from tests.unit.model.conftest import training_frame

ROOT = Path(__file__).resolve().parents[3]


def _frame_with_color() -> tuple[pd.DataFrame, np.ndarray]:
    frame, labels = training_frame()
    colors = np.array(["red", "green", "blue"])[np.arange(len(frame)) % 3]
    return frame.assign(color=colors), labels


def test_a_logistic_pipeline_s_reasons_are_coefficient_times_scaled_value() -> None:
    # Given: impute, scale, logistic regression on columns a and b
    frame, labels = training_frame()
    pipeline = Pipeline(
        [("impute", SimpleImputer()), ("scale", StandardScaler()), ("model", LogisticRegression())]
    ).fit(frame, labels)
    info = build_info(pipeline, frame, version="v", accepts_missing=True)
    row = pd.DataFrame({"a": [1.5], "b": [np.nan]})
    # When
    found = explainer_for(pipeline, info).contributions(row)
    # Then: by hand, b is imputed with its training mean, so its scaled value is 0
    scaler, model = pipeline.named_steps["scale"], pipeline.named_steps["model"]
    expected_a = model.coef_[0][0] * (1.5 - scaler.mean_[0]) / scaler.scale_[0]
    assert found.values[0, 0] == pytest.approx(expected_a)
    assert found.values[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert found.bias[0] == pytest.approx(model.intercept_[0])
    assert found.target[0] == "yes"
    assert found.score[0] == pytest.approx(pipeline.decision_function(row)[0])


def test_one_hot_parts_are_summed_back_to_their_input_column() -> None:
    # Given: a ridge regression behind a ColumnTransformer with a one-hot encoded column
    frame, _ = _frame_with_color()
    target = 2.0 * frame["a"] + np.where(frame["color"] == "red", 3.0, 0.0)
    prepare = ColumnTransformer(
        [("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(), ["color"])]
    )
    pipeline = Pipeline([("prepare", prepare), ("model", Ridge(alpha=0.1))]).fit(frame, target)
    info = build_info(pipeline, frame, version="v", accepts_missing=False)
    rows = frame.head(6)
    # When
    found = explainer_for(pipeline, info).contributions(rows)
    # Then: one value per input column; color's is the coefficient of the row's own category
    assert found.values.shape == (6, 3)
    encoder = pipeline.named_steps["prepare"].named_transformers_["cat"]
    coef = pipeline.named_steps["model"].coef_
    for position, color in enumerate(rows["color"]):
        k = list(encoder.categories_[0]).index(color)
        assert found.values[position, 2] == pytest.approx(coef[2 + k])
    assert found.score == pytest.approx(pipeline.predict(rows))


@pytest.mark.parametrize("path", ["models/breast-cancer/forest", "models/diabetes/ridge"])
def test_contributions_and_bias_add_up_to_the_shipped_models_scores(path: str) -> None:
    # Given: a shipped bundle and rows around its training range, one value missing
    bundle = load_bundle(ROOT / path)
    rng = np.random.default_rng(1)
    rows = pd.DataFrame(
        {
            spec.name: rng.uniform(spec.min or 0.0, spec.max or 1.0, 40)
            for spec in bundle.info.columns
        }
    )
    rows.iloc[0, 0] = np.nan
    # When
    found = explainer_for(bundle.estimator, bundle.info).contributions(rows)
    # Then: the forest explains the probability of malignant, the ridge its prediction
    if bundle.info.task == "classification":
        positive = list(bundle.estimator.classes_).index("malignant")
        expected = bundle.estimator.predict_proba(rows)[:, positive]
    else:
        expected = bundle.estimator.predict(rows)
    assert found.score == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_a_forest_s_path_contributions_add_up_for_every_class_and_regression() -> None:
    # Given: a three-class forest and a forest regressor on the same frame
    frame, _ = training_frame()
    classes = np.select([frame["a"] < -0.5, frame["a"] < 0.5], ["low", "mid"], "high")
    forest = RandomForestClassifier(n_estimators=7, max_depth=4, random_state=0)
    forest.fit(frame, classes)
    regressor = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0)
    regressor.fit(frame, frame["a"] * 3 + frame["b"])
    rows = frame.head(25)
    # When
    by_class = explainer_for(
        forest, build_info(forest, frame, version="v", accepts_missing=False)
    ).contributions(rows)
    by_value = explainer_for(
        regressor, build_info(regressor, frame, version="v", accepts_missing=False)
    ).contributions(rows)
    # Then: each row explains its predicted class's probability
    probabilities = forest.predict_proba(rows)
    chosen = probabilities.argmax(axis=1)
    assert list(by_class.target) == list(forest.classes_[chosen])
    assert by_class.score == pytest.approx(probabilities[np.arange(25), chosen])
    assert by_value.score == pytest.approx(regressor.predict(rows))


def test_reasons_name_the_three_largest_contributions_in_words() -> None:
    # Given: the shipped logistic pipeline and one row
    bundle = load_bundle(ROOT / "layers/model/bundle")
    rows = pd.DataFrame(
        {spec.name: [((spec.min or 0.0) + (spec.max or 1.0)) / 2] for spec in bundle.info.columns}
    )
    explainer = explainer_for(bundle.estimator, bundle.info)
    found = explainer.contributions(rows).values[0]
    # When
    reasons = [column[0] for column in explainer.reasons(rows)]
    # Then
    top = np.argsort(-np.abs(found))[:3]
    for reason, k in zip(reasons, top, strict=True):
        name = bundle.info.feature_names[k]
        verb = "raises" if found[k] >= 0 else "lowers"
        value = rows.iloc[0, k]
        assert reason == f"{name} = {value:.4g} {verb} malignant by {abs(found[k]):.2f}"


@pytest.mark.parametrize(
    "estimator",
    [KNeighborsClassifier(n_neighbors=3), GradientBoostingClassifier(n_estimators=3)],
    ids=["knn", "boosting"],
)
def test_another_estimator_is_refused_with_its_name(estimator: object) -> None:
    # Given
    frame, labels = training_frame()
    pipeline = Pipeline([("impute", SimpleImputer()), ("model", estimator)]).fit(frame, labels)
    info = build_info(pipeline, frame, version="v", accepts_missing=False)
    # When / Then
    with pytest.raises(ExplainUnsupported, match=type(estimator).__name__):
        explainer_for(pipeline, info)


def test_a_job_asking_reasons_of_another_estimator_is_rejected_with_the_reason(score) -> None:
    # Given: a bundle of a k-nearest-neighbours classifier
    frame, labels = training_frame()
    pipeline = Pipeline([("model", KNeighborsClassifier(n_neighbors=3))]).fit(frame, labels)
    info = build_info(pipeline, frame, version="knn-1", accepts_missing=False)
    metadata = synthetic_metadata("knn-1", "KNeighborsClassifier")
    knn = Bundle(pipeline, info, metadata)
    # When
    with pytest.raises(InputRejected) as rejected:
        score("a,b\n1,2\n", using=knn, explain=True)
    # Then
    assert rejected.value.code == "explain_unsupported"
    assert "KNeighborsClassifier" in rejected.value.message


def test_explain_is_off_unless_asked() -> None:
    assert EngineOptions().explain is False


def test_large_forests_walk_the_paths_and_agree_with_the_tabulated_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given: the shipped forest, explained with leaf tables and with per-chunk path walks
    bundle = load_bundle(ROOT / "models/breast-cancer/forest")
    rows = pd.DataFrame(
        {
            spec.name: np.linspace(spec.min or 0.0, spec.max or 1.0, 30)
            for spec in bundle.info.columns
        }
    )
    tabulated = explainer_for(bundle.estimator, bundle.info).contributions(rows)
    monkeypatch.setattr(explain, "_TABLE_CELLS", 0)
    # When
    walked = explainer_for(bundle.estimator, bundle.info).contributions(rows)
    # Then
    assert walked.values == pytest.approx(tabulated.values, abs=1e-12)
    assert walked.score == pytest.approx(bundle.estimator.predict_proba(rows)[:, 1])
