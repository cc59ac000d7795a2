"""POST /predict with `"explain": true`: each prediction lists its top three reasons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import predict_handler
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from batchscore_model.bundle import Bundle
from batchscore_model.explain import explainer_for
from tests.integration.pipeline.samples import columns, valid_value
from tests.lambda_context import FakeLambdaContext

EVENTS = Path(__file__).resolve().parents[2] / "events" / "predict"


def row(index: int) -> dict[str, Any]:
    return {column.name: float(valid_value(column, index)) for column in columns()}


def call(body: Any) -> tuple[int, dict[str, Any]]:
    event = json.loads((EVENTS / "post_predict_user.json").read_text())
    event["body"] = json.dumps(body)
    response = predict_handler.lambda_handler(event, FakeLambdaContext("predict"))
    return response["statusCode"], json.loads(response["body"])


def test_each_prediction_lists_its_three_largest_contributions(seed_champion: Bundle) -> None:
    # Given two rows, one with a value missing (imputed)
    rows = [row(0), {**row(3), columns()[0].name: None}]
    # When
    status, body = call({"rows": rows, "explain": True})
    # Then: the reasons are the explainer's, largest first, in words and as data
    assert status == 200
    frame = pd.DataFrame(
        {name: [r.get(name) for r in rows] for name in seed_champion.info.feature_names},
        dtype=float,
    )
    found = explainer_for(seed_champion.estimator, seed_champion.info).contributions(frame)
    for k, prediction in enumerate(body["predictions"]):
        reasons = prediction["reasons"]
        assert len(reasons) == 3
        sizes = [abs(reason["contribution"]) for reason in reasons]
        assert sizes == sorted(sizes, reverse=True)
        assert sizes[0] == pytest.approx(np.abs(found.values[k]).max())
        first = reasons[0]
        assert first["towards"] == "malignant"
        assert first["text"].startswith(f"{first['column']} = ")
        assert first["text"].endswith(f"malignant by {abs(first['contribution']):.2f}")


def test_without_explain_there_are_no_reasons() -> None:
    # When
    _, body = call({"rows": [row(0)]})
    # Then
    assert "reasons" not in body["predictions"][0]


def test_explain_for_another_estimator_is_refused_with_its_code(
    monkeypatch: pytest.MonkeyPatch, seed_champion: Bundle
) -> None:
    # Given: the model behind /predict is a k-nearest-neighbours classifier
    names = seed_champion.info.feature_names
    frame = pd.DataFrame([row(k) for k in range(10)])[names]
    labels = np.array(["benign", "malignant"] * 5)
    knn = Pipeline([("model", KNeighborsClassifier(n_neighbors=3))]).fit(frame, labels)
    other = Bundle(knn, seed_champion.info, seed_champion.metadata)
    monkeypatch.setattr(predict_handler, "model_bundle", lambda ref: other)
    # When
    status, body = call({"rows": [row(0)], "explain": True})
    # Then
    assert (status, body["error"]["code"]) == (422, "explain_unsupported")
    assert "KNeighborsClassifier" in body["error"]["message"]
