"""The one bundle loader of ProcessFunction and PredictFunction: versions from the registry,
loaded at first use, cached in /tmp and in memory.

A job names its version (resolved when it was created); a job from before the registry gets
the default model's champion. The cache keeps the least recently used bundles out.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from batchscore_core import adapters
from batchscore_core.models import Job
from batchscore_core.observability import logger
from batchscore_core.registry_models import ModelRef
from batchscore_core.settings import get_settings
from batchscore_model.bundle import Bundle
from batchscore_model.registry_loader import BundleCache

MODELS_IN_MEMORY = 2


def _fetch(name: str, version: str, target: Path) -> None:
    record = adapters.model_registry().get_version(name, version)
    adapters.model_files().download(name, version, record.checksums_sha256, target)


@lru_cache(maxsize=1)
def bundle_cache() -> BundleCache:
    root = Path(tempfile.gettempdir()) / "batchscore-models"
    return BundleCache(_fetch, root, max_in_memory=MODELS_IN_MEMORY)


def resolve_model(reference: str | None) -> ModelRef:
    """`name`, `name@version` or None (the default model's champion)."""
    return adapters.model_registry().resolve(reference, get_settings().default_model_name)


def job_model(job: Job) -> ModelRef:
    if job.model_name and job.model_version:
        return ModelRef(name=job.model_name, version=job.model_version)
    return resolve_model(job.model_name)


def model_bundle(ref: ModelRef) -> Bundle:
    cache = bundle_cache()
    known = (ref.name, ref.version) in cache.cached_versions()
    bundle = cache.get(ref.name, ref.version)
    if not known:
        logger.info(
            "model bundle loaded",
            extra={
                "model_name": ref.name,
                "model_version": ref.version,
                "load_seconds": cache.last_load_seconds,
            },
        )
    return bundle
