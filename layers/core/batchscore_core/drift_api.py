"""`GET /models/{name}/drift`: the model's drift over its recent jobs (RegistryFunction).

Any signed-in reader of the registry may look: the trend names no job and no owner.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from batchscore_core import adapters
from batchscore_core.drift_log import MAX_RECENT, DriftTrend, trend
from batchscore_core.registry_api import NamePath, Reader, secured

DEFAULT_JOBS = 20

router = Router()


@secured(
    router,
    "GET",
    "/models/<name>/drift",
    summary="Drift over the model's recent jobs: per job its status, per feature its series",
    answer="The trend, newest job first",
)
def get_drift(
    name: NamePath,
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_RECENT)] = DEFAULT_JOBS,
) -> DriftTrend:
    adapters.model_registry().get_model(name)  # an unknown model is a 404
    return trend(name, adapters.drift_log().recent(name, limit))
