"""`supports_explain`: what publish records on a version, the explainer's own answer without
building it (POST /jobs refuses `explain` from that flag, never loading the model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from batchscore_model.bundle_check import check_bundle
from batchscore_model.derive import build_info
from batchscore_model.explain import ExplainUnsupported, explainer_for, supports_explain
from tests.unexplainable_bundle import naive_bayes_bundle
from tests.unit.model.conftest import training_frame

ROOT = Path(__file__).resolve().parents[3]

ESTIMATORS: dict[str, Any] = {
    "logistic": LogisticRegression(),
    "forest": RandomForestClassifier(n_estimators=3, random_state=0),
    "naive-bayes": GaussianNB(),
    "boosting": GradientBoostingClassifier(n_estimators=3),
}


def fitted(*steps: Any) -> tuple[Pipeline, Any]:
    frame, labels = training_frame()
    named = [("impute", SimpleImputer())] + [(f"s{k}", s) for k, s in enumerate(steps)]
    pipeline = Pipeline(named).fit(frame, labels)
    return pipeline, build_info(pipeline, frame, version="v", accepts_missing=True)


def explainer_builds(pipeline: Pipeline, info: Any) -> bool:
    try:
        explainer_for(pipeline, info)
    except ExplainUnsupported:
        return False
    return True


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_the_answer_is_the_explainer_s_own(kind: str) -> None:
    # Given
    pipeline, info = fitted(StandardScaler(), ESTIMATORS[kind])
    # When
    answer = supports_explain(pipeline, info)
    # Then
    assert answer is explainer_builds(pipeline, info)
    assert answer is (kind in ("logistic", "forest"))


def test_a_step_the_explainer_cannot_map_back_is_unsupported() -> None:
    # Given: a linear model behind features it cannot map back to input columns
    pipeline, info = fitted(PolynomialFeatures(), LogisticRegression())
    # When / Then
    assert supports_explain(pipeline, info) is False
    assert explainer_builds(pipeline, info) is False


@pytest.mark.parametrize(
    "bundle", ["layers/model/bundle", "models/breast-cancer/forest", "models/diabetes/ridge"]
)
def test_the_bundle_check_finds_every_seed_explainable(bundle: str) -> None:
    assert check_bundle(ROOT / bundle).explainable is True


def test_the_bundle_check_finds_a_naive_bayes_bundle_unexplainable(tmp_path: Path) -> None:
    # Given
    directory = naive_bayes_bundle(tmp_path / "bundle", "nb-1")
    # When
    checked = check_bundle(directory)
    # Then
    assert (checked.version, checked.explainable) == ("nb-1", False)
