"""A training CSV written under `training/<name>/`: checked, then recorded ACCEPTED or REJECTED."""

from __future__ import annotations

import json
from functools import lru_cache

from train_data import MAX_TRAINING_FILE_BYTES, parse_labelled
from train_recipes import recipe_for

from batchscore_core.model_files import ModelFiles
from batchscore_core.models import iso, utc_now
from batchscore_core.object_keys import parse_or_ignore
from batchscore_core.observability import logger
from batchscore_core.registry import ModelRegistry
from batchscore_core.registry_models import ModelNotFound
from batchscore_core.settings import get_settings
from batchscore_core.storage import DataStore
from batchscore_core.training_files import (
    FileStatus,
    TrainingFile,
    TrainingFiles,
    parse_training_key,
)
from batchscore_model.errors import InputRejected, problem
from batchscore_model.schema import ModelInfo


@lru_cache(maxsize=1)
def training_files() -> TrainingFiles:
    return TrainingFiles(get_settings().models_table_name)


def _rejection(code: str, message: str) -> dict[str, object]:
    return {"code": code, "message": message, "details": [problem(message)]}


def check_training_object(
    key: str,
    *,
    size: int | None,
    registry: ModelRegistry,
    model_files: ModelFiles,
    data: DataStore,
    files: TrainingFiles,
) -> TrainingFile | None:
    """The file's record as this check left it; None for a key outside training/<name>/*.csv."""
    parsed = parse_or_ignore(key, parse_training_key, "training/<name>/*.csv")
    if parsed is None:
        return None
    name, file_id, _ = parsed
    now = iso(utc_now())
    record = files.get(name, file_id) or TrainingFile(
        file_id=file_id,
        model=name,
        filename=key.rsplit("/", 1)[-1],
        key=key,
        status=FileStatus.AWAITING_UPLOAD,
        source="bucket",
        created_at=now,
        updated_at=now,
    )
    error: dict[str, object] | None = None
    rows: int | None = None
    recipe = recipe_for(name)
    try:
        model = registry.get_model(name)
    except ModelNotFound:
        model = None
    if model is None:
        error = _rejection("model_not_found", f"no model {name!r} in the registry")
    elif recipe is None:
        error = _rejection("no_recipe", f"{name!r} has no training recipe")
    elif size is not None and size > MAX_TRAINING_FILE_BYTES:
        error = _rejection(
            "too_large", f"{size} bytes is over the {MAX_TRAINING_FILE_BYTES}-byte limit"
        )
    else:
        version = registry.get_version(name, model.champion)
        schema = model_files.schema(name, model.champion, version.checksums_sha256)
        info = ModelInfo.model_validate(schema)
        raw = data.open(key).read()
        try:
            rows = len(parse_labelled(raw, record.filename, info, recipe.label).labels)
        except InputRejected as exc:
            error = json.loads(json.dumps(exc.to_dict()))
    checked = record.model_copy(
        update={
            "status": FileStatus.REJECTED if error else FileStatus.ACCEPTED,
            "error": error,
            "rows": rows,
            "updated_at": iso(utc_now()),
        }
    )
    files.put(checked)
    logger.info(
        "training file checked",
        extra={"model": name, "file_id": file_id, "status": checked.status.value},
    )
    return checked
