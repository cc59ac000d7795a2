"""One retraining run: data, fit, evaluate candidate and champion on one holdout, gate, publish.

The writes are ordered so that a crash leaves nothing half-done: the candidate is registered
through the registry's publish path (files, then one transaction), and a promotion is one
transaction that moves `champion`, appends the alias history and writes the run's final
record together. A run that crashes before its final write is marked FAILED when its lease
runs out (batchscore_core.training_runs).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
)
from train_data import Labelled, TrainingDataError, combine, parse_labelled, split
from train_recipes import Recipe, recipe_for

from batchscore_core.model_events import ModelEvents
from batchscore_core.model_files import ModelFiles
from batchscore_core.models import iso, utc_now
from batchscore_core.observability import logger
from batchscore_core.registry import ModelRegistry
from batchscore_core.registry_models import (
    CHAMPION,
    AliasConflict,
    ModelRef,
    VersionNotActive,
    VersionStatus,
)
from batchscore_core.registry_publish import publish_bundle
from batchscore_core.storage import DataStore
from batchscore_core.training_files import FileStatus, TrainingFiles
from batchscore_core.training_gate import GateResult, judge, promotion_reason
from batchscore_core.training_runs import RunStatus, TrainingRun, TrainingRuns
from batchscore_model.bundle import Bundle, save_bundle
from batchscore_model.bundle_check import check_bundle
from batchscore_model.bundle_publish import to_publish
from batchscore_model.derive import build_info
from batchscore_model.drift_reference import build_reference
from batchscore_model.errors import InputRejected
from batchscore_model.library_versions import library_versions
from batchscore_model.schema import BundleMetadata, ModelInfo

LoadBundle = Callable[[ModelRef], Bundle]


@dataclass(frozen=True)
class RunDeps:
    registry: ModelRegistry
    model_files: ModelFiles
    events: ModelEvents
    runs: TrainingRuns
    training_files: TrainingFiles
    data: DataStore
    load_bundle: LoadBundle
    window: int
    work_dir: Path


# ---------------------------------------------------------------------------- metrics


def evaluate(bundle: Bundle, holdout: Labelled) -> dict[str, float]:
    """The holdout metrics of a bundle, predicted as the engine predicts."""
    prediction = bundle.predict_frame(holdout.features[bundle.info.feature_names])
    truth = holdout.labels.to_numpy()
    if bundle.info.task == "regression":
        predicted = np.asarray(prediction.labels, dtype=np.float64)
        return {
            "r2": float(r2_score(truth, predicted)),
            "mae": float(mean_absolute_error(truth, predicted)),
        }
    classes = list(bundle.info.classes or [])
    metrics = {"accuracy": float(accuracy_score(truth.astype(str), prediction.labels.astype(str)))}
    if prediction.probabilities is not None and len(classes) >= 2:
        known = np.isin(truth, classes)
        if known.all():
            probabilities = prediction.probabilities
            if len(classes) == 2:
                positive = truth == classes[1]
                metrics["roc_auc"] = float(roc_auc_score(positive, probabilities[:, 1]))
            else:
                metrics["roc_auc"] = float(
                    roc_auc_score(truth, probabilities, multi_class="ovr", labels=classes)
                )
            metrics["log_loss"] = float(log_loss(truth, probabilities, labels=classes))
    return {name: round(value, 6) for name, value in metrics.items()}


def _fingerprint(data: Labelled) -> str:
    digest = hashlib.sha256()
    digest.update("\x1f".join(data.features.columns).encode())
    digest.update(pd.util.hash_pandas_object(data.features, index=False).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(data.labels, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def candidate_version(recipe: Recipe, run_id: str) -> str:
    return f"{recipe.model}-{recipe.name}-{run_id}"


# ---------------------------------------------------------------------------- steps


def load_data(run: TrainingRun, recipe: Recipe, info: ModelInfo, deps: RunDeps) -> Labelled:
    """The accepted files (the window's most recent), parsed against the champion's schema."""
    if run.files:
        chosen = [deps.training_files.get(run.model, file_id) for file_id in run.files]
        unusable = [
            file_id
            for file_id, record in zip(run.files, chosen, strict=True)
            if record is None or record.status is not FileStatus.ACCEPTED
        ]
        if unusable:
            raise TrainingDataError(
                "file_not_accepted", f"not accepted training files: {', '.join(unusable)}"
            )
        files = [record for record in chosen if record is not None]
    else:
        files = deps.training_files.accepted(run.model, deps.window)
    if not files:
        rejected = [f for f in deps.training_files.all(run.model) if f.error]
        why = "; ".join(
            f"{f.filename}: {(f.error or {}).get('message', '')}" for f in rejected[-3:]
        )
        message = f"no accepted training files for {run.model}"
        raise TrainingDataError(
            "no_training_data", f"{message} (rejected: {why})" if why else message
        )
    parts = []
    for record in files:
        raw = deps.data.open(record.key).read()
        try:
            parts.append(parse_labelled(raw, record.filename, info, recipe.label))
        except InputRejected as exc:  # accepted against an older champion's schema
            raise TrainingDataError(exc.code, exc.message) from exc
    return combine(parts)


def fit_candidate(
    recipe: Recipe, train: Labelled, holdout: Labelled, champion: Bundle, run_id: str
) -> tuple[Bundle, float]:
    started = time.monotonic()
    estimator = recipe.fit(train.features, train.labels)
    seconds = time.monotonic() - started
    version = candidate_version(recipe, run_id)
    optional = [column.name for column in champion.info.columns if not column.required]
    info = build_info(
        estimator,
        train.features,
        version=version,
        accepts_missing=champion.info.accepts_missing,
        optional=optional,
    )
    draft = BundleMetadata(
        version=version,
        trained_at=datetime.now(UTC),
        estimator=recipe.estimator,
        dataset=f"training/{recipe.model}/ (accepted files), recipe {recipe.name}",
        training_data_fingerprint=_fingerprint(train),
        rows_train=len(train.labels),
        rows_holdout=len(holdout.labels),
        primary_metric=recipe.primary_metric,
        holdout_metrics={},
        library_versions=library_versions(),
    )
    bundle = Bundle(estimator, info, draft)
    metrics = evaluate(bundle, holdout)
    bundle.metadata = draft.model_copy(update={"holdout_metrics": metrics})
    return bundle, seconds


def publish_candidate(
    model: str,
    bundle: Bundle,
    data: tuple[Labelled, Labelled],
    status: VersionStatus,
    deps: RunDeps,
    by: str,
) -> None:
    train, holdout = data
    with tempfile.TemporaryDirectory(prefix="candidate-", dir=deps.work_dir) as scratch:
        directory = Path(scratch) / "bundle"
        prediction = bundle.predict_frame(holdout.features[bundle.info.feature_names])
        reference = build_reference(
            train.features, bundle.info, prediction.labels, prediction.probabilities
        )
        save_bundle(directory, bundle.estimator, bundle.info, bundle.metadata, reference)
        checked = check_bundle(directory)
        publish_bundle(
            to_publish(model, checked),
            registry=deps.registry,
            files=deps.model_files,
            events=deps.events,
            by=by,
            claim_id=bundle.version,
            status=status,
        )


# ---------------------------------------------------------------------------- the run


def execute(run: TrainingRun, deps: RunDeps) -> TrainingRun:
    """Run to a final state (PROMOTED, KEPT_CHAMPION or FAILED) and release the model's lock."""
    try:
        final = _execute(run, deps)
    except TrainingDataError as exc:
        final = _fail(run, deps, exc.code, exc.message)
    except Exception as exc:  # any step: the run ends FAILED with it, the champion untouched
        logger.exception("training run failed", extra={"run_id": run.run_id})
        final = _fail(run, deps, "step_failed", f"{type(exc).__name__}: {exc}")
    deps.runs.release(run.model, run.run_id)
    logger.info(
        "training run ended",
        extra={"model": run.model, "run_id": run.run_id, "status": final.status.value},
    )
    deps.events.retrained(final.public())
    return final


def _fail(run: TrainingRun, deps: RunDeps, code: str, message: str) -> TrainingRun:
    """FAILED, keeping what the run recorded so far (versions, rows, metrics, gate)."""
    progress = deps.runs.get(run.model, run.run_id)
    return deps.runs.fail(progress, code, message) or deps.runs.get(run.model, run.run_id)


def _execute(run: TrainingRun, deps: RunDeps) -> TrainingRun:
    recipe = recipe_for(run.model)
    if recipe is None:
        raise TrainingDataError("no_recipe", f"{run.model!r} has no training recipe")
    model = deps.registry.get_model(run.model)
    champion_version = model.champion
    champion = deps.load_bundle(ModelRef(name=run.model, version=champion_version))
    run = run.model_copy(update={"champion_version": champion_version})
    deps.runs.save(run)
    data = load_data(run, recipe, champion.info, deps)
    train, holdout = split(data, task=champion.info.task, min_rows=recipe.min_rows)
    candidate, seconds = fit_candidate(recipe, train, holdout, champion, run.run_id)
    failed_steps: list[str] = []
    try:
        champion_metrics: dict[str, float] | None = evaluate(champion, holdout)
    except Exception as exc:
        failed_steps.append(f"evaluating the champion: {type(exc).__name__}: {exc}")
        champion_metrics = None
    gate: GateResult = judge(
        recipe.policy,
        candidate=candidate.metadata.holdout_metrics,
        champion=champion_metrics,
        candidate_columns=candidate.info.feature_names,
        champion_columns=champion.info.feature_names,
        failed_steps=failed_steps,
    )
    run = run.model_copy(
        update={
            "rows": {"train": len(train.labels), "holdout": len(holdout.labels)},
            "candidate_version": candidate.version,
            "metrics": {
                "candidate": candidate.metadata.holdout_metrics,
                "champion": champion_metrics or {},
            },
            "gate": gate.to_dict(),
            "seconds": round(seconds, 4),
        }
    )
    if not deps.runs.save(run):  # the lease ran out meanwhile: another reader ended the run
        return deps.runs.get(run.model, run.run_id)
    status = VersionStatus.ACTIVE if gate.passed else VersionStatus.REJECTED
    publish_candidate(
        run.model, candidate, (train, holdout), status, deps, by=f"retrain ({run.trigger})"
    )
    ended = iso(utc_now())
    if not gate.passed:
        kept = run.model_copy(update={"status": RunStatus.KEPT_CHAMPION, "ended_at": ended})
        deps.runs.save(kept)
        return kept
    promoted = run.model_copy(update={"status": RunStatus.PROMOTED, "ended_at": ended})
    reason = promotion_reason(
        recipe.policy,
        candidate.metadata.holdout_metrics[recipe.primary_metric],
        (champion_metrics or {}).get(recipe.primary_metric),
    )
    try:
        move = deps.registry.move_alias(
            run.model,
            CHAMPION,
            candidate.version,
            by=f"retrain run {run.run_id}",
            reason=reason,
            expected_version=champion_version,
            also=[deps.runs.save_item(promoted)],
        )
    except (AliasConflict, VersionNotActive) as exc:
        raise RuntimeError(f"not promoted: {exc} (the candidate stays registered)") from exc
    deps.events.alias_changed(run.model, move)
    return promoted
