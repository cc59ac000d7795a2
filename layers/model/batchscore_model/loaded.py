"""The model bundle, loaded once per container on first use (not at import): the one loader
that ProcessFunction and PredictFunction share (each logs the version it scores with)."""

from __future__ import annotations

from functools import lru_cache

from batchscore_model.bundle import Bundle, load_bundle


@lru_cache(maxsize=1)
def model_bundle() -> Bundle:
    return load_bundle()
