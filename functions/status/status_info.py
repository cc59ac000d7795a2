"""Routes about the service itself: health and the model's input schema."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler.api_gateway import Router
from status_auth import ReadingCaller
from status_models import Health, ModelDescription

from batchscore_core import adapters
from batchscore_core.api_docs import AUTH, BEARER, answers
from batchscore_core.settings import get_settings
from batchscore_model.schema import ModelInfo

router = Router()


@lru_cache(maxsize=8)
def version_info(name: str, version: str) -> ModelInfo:
    """A version is immutable: its schema is read from the registry once per container."""
    record = adapters.model_registry().get_version(name, version)
    schema = adapters.model_files().schema(name, version, record.checksums_sha256)
    return ModelInfo.model_validate(schema)


def model_info() -> tuple[str, ModelInfo]:
    """The default model's champion (the alias may move: looked up on every call)."""
    ref = adapters.model_registry().resolve(None, get_settings().default_model_name)
    return ref.name, version_info(ref.name, ref.version)


@router.get("/health", summary="Liveness (no auth)", responses=answers(200, "Alive"))
def health() -> Health:
    return Health()


@router.get(
    "/model",
    summary="The model version and the CSV columns it reads",
    security=BEARER,
    responses=answers(200, "The default model's champion", AUTH, {503: "The model cannot be read"}),
)
def describe_model(caller: ReadingCaller) -> ModelDescription:
    name, info = model_info()
    return ModelDescription(
        **info.to_api(), name=name, max_upload_bytes=get_settings().max_upload_bytes
    )
