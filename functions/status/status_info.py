"""Routes about the service itself: health and the model's input schema."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler.api_gateway import Router
from status_auth import ReadingCaller
from status_models import Health, ModelDescription

from batchscore_core.api_docs import AUTH, BEARER, answers
from batchscore_core.settings import get_settings
from batchscore_model.schema import ModelInfo, load_model_info

router = Router()


@lru_cache(maxsize=1)
def model_info() -> ModelInfo:
    """The bundle ships in the layer: read its schema once per container."""
    return load_model_info()


@router.get("/health", summary="Liveness (no auth)", responses=answers(200, "Alive"))
def health() -> Health:
    return Health()


@router.get(
    "/model",
    summary="The model version and the CSV columns it reads",
    security=BEARER,
    responses=answers(200, "The model", AUTH, {503: "The model cannot be read"}),
)
def describe_model(caller: ReadingCaller) -> ModelDescription:
    info = model_info()
    return ModelDescription(**info.to_api(), max_upload_bytes=get_settings().max_upload_bytes)
