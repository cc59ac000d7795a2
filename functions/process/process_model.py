"""The model bundle, loaded once per container (on first use, not at import)."""

from __future__ import annotations

from functools import lru_cache

from batchscore_core.observability import logger
from batchscore_model.bundle import Bundle, load_bundle


@lru_cache(maxsize=1)
def model_bundle() -> Bundle:
    bundle = load_bundle()
    logger.info("model bundle loaded", extra={"model_version": bundle.version})
    return bundle
