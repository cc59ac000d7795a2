"""Unit tests of the predict handler: the registry is replaced by the seed champion on disk."""

from __future__ import annotations

import predict_handler
import pytest

from batchscore_core.registry_models import ModelRef
from batchscore_model.bundle import Bundle, load_bundle


@pytest.fixture(autouse=True)
def seed_champion(monkeypatch: pytest.MonkeyPatch) -> Bundle:
    """The bundle in layers/model/bundle answers for the default model (no AWS in unit tests)."""
    bundle = load_bundle()
    monkeypatch.setattr(
        predict_handler,
        "resolve_model",
        lambda reference: ModelRef(name="breast-cancer", version=bundle.version),
    )
    monkeypatch.setattr(predict_handler, "model_bundle", lambda ref: bundle)
    return bundle
