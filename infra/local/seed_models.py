"""Publish the repository's seed bundles (`models/seed.json`) into the registry.

`make run` and the tests start with the same registry: the breast-cancer classifier (logistic
pipeline = champion, random forest = challenger) and the diabetes regressor. Publishing goes
through the same checks and the same code as `POST /models/{name}/versions`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batchscore_core.model_events import ModelEvents
from batchscore_core.model_files import ModelFiles
from batchscore_core.registry import ModelRegistry
from batchscore_core.registry_models import CHAMPION, PublishRefused, VersionRecord
from batchscore_core.registry_publish import publish_bundle
from batchscore_model.bundle_check import CheckedBundle, check_bundle
from batchscore_model.bundle_publish import to_publish

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = REPO_ROOT / "models" / "seed.json"
SEEDED_BY = "seed (make run)"


@dataclass(frozen=True)
class Registry:
    """The adapters publishing writes through."""

    models: ModelRegistry
    files: ModelFiles
    events: ModelEvents


def recipe_plan(name: str) -> dict[str, Any] | None:
    """The model's `training` plan from its recipe (functions/train/train_recipes.py)."""
    import os

    from train_recipes import recipe_for

    recipe = recipe_for(name)
    schedule = os.environ.get("RETRAIN_SCHEDULE") or "rate(7 days)"
    return None if recipe is None else recipe.plan(schedule)


def seed_plan(seed_file: Path = SEED_FILE) -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(seed_file.read_text(encoding="utf-8"))
    return plan


def seed_models(
    registry: Registry,
    seed_file: Path = SEED_FILE,
    check: Callable[[Path], CheckedBundle] = check_bundle,
) -> list[VersionRecord]:
    """Every seed bundle published (those already there kept), aliases as the plan says."""
    published: list[VersionRecord] = []
    for model in seed_plan(seed_file)["models"]:
        name = model["name"]
        for bundle in model["bundles"]:
            checked = check(seed_file.parents[1] / bundle["path"])
            try:
                record = publish_bundle(
                    to_publish(name, checked),
                    registry=registry.models,
                    files=registry.files,
                    events=registry.events,
                    by=SEEDED_BY,
                    claim_id="seed",
                )
            except PublishRefused as exc:
                if exc.code != "version_exists":
                    raise
                record = registry.models.get_version(name, checked.version)
            published.append(record)
            current = registry.models.get_model(name).aliases.get(bundle["alias"])
            if bundle["alias"] != CHAMPION and current != record.version:
                move = registry.models.move_alias(
                    name, bundle["alias"], record.version, by=SEEDED_BY, reason="seeded"
                )
                registry.events.alias_changed(name, move)
        plan = recipe_plan(name) or model.get("training")
        if plan:
            registry.models.set_training(name, plan)
    return published


def main() -> int:
    """`python -m infra.local.seed_models`: seed the registry the environment names (one JSON
    line out: `name@version (alias)` of each alias)."""
    from batchscore_core import adapters

    registry = Registry(
        models=adapters.model_registry(),
        files=adapters.model_files(),
        events=adapters.model_events(),
    )
    registry.models.backfill_listing()  # model items written before the models-by-name index
    seed_models(registry)
    summary = [
        f"{model.name}@{version} ({alias})"
        for model in registry.models.list_models()
        for alias, version in sorted(model.aliases.items())
    ]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
