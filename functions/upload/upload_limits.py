"""What ingest checks against: the size limit and the model's required columns, read once."""

from __future__ import annotations

from functools import lru_cache

from ingest_check import IngestLimits

from batchscore_core.settings import get_settings
from batchscore_model.schema import load_model_info


@lru_cache(maxsize=1)
def ingest_limits() -> IngestLimits:
    required = tuple(load_model_info().required_columns)
    return IngestLimits(max_upload_bytes=get_settings().max_upload_bytes, required_columns=required)
