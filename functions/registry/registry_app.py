"""The registry's resolver: its routes (batchscore_core.registry_api) and the one error map."""

from __future__ import annotations

from batchscore_core import drift_api, registry_api, training_api
from batchscore_core.api_errors import api_app
from batchscore_core.model_files import BundleTampered

app = api_app(
    registry_api.router, drift_api.router, training_api.router, unavailable=[BundleTampered]
)
