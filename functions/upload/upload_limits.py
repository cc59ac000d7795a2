"""What ingest checks against: the size limit and the required columns of the job's model.

The model is the job's (POST /jobs resolved it), or for a drop-folder file the one its path
names (`dropbox/<tenant>/@<model>[@<version>]/<name>.csv`), else its tenant's default model
(DROPBOX_TENANT_MODELS), else the default model's champion.
"""

from __future__ import annotations

from functools import lru_cache

from ingest_check import IngestLimits, ModelChoice

from batchscore_core import adapters
from batchscore_core.models import Job, JobSource
from batchscore_core.registry_models import ExplainNotSupported, ModelRef, tenant_models
from batchscore_core.settings import get_settings
from batchscore_model.schema import ModelInfo


@lru_cache(maxsize=8)
def ingest_limits(name: str, version: str) -> IngestLimits:
    """A version is immutable: its schema is read from the registry once per container."""
    record = adapters.model_registry().get_version(name, version)
    schema = adapters.model_files().schema(name, version, record.checksums_sha256)
    info = ModelInfo.model_validate(schema)
    return IngestLimits(
        max_upload_bytes=get_settings().max_upload_bytes,
        required_columns=tuple(info.required_columns),
        column_names=tuple(info.feature_names),
        explainable=record.explainable,
    )


def choose_model(job: Job) -> ModelChoice:
    """Raises the registry's ModelNotFound / VersionNotFound / VersionNotActive, and
    ExplainNotSupported for a job asking `explain` of a version that publish found cannot."""
    settings = get_settings()
    if job.model_name and job.model_version:
        ref = ModelRef(name=job.model_name, version=job.model_version)
    else:
        reference = job.model_name  # a drop under @<model>/ (origins.new_drop_job)
        if reference is None and job.source is JobSource.DROPBOX:
            reference = tenant_models(settings.dropbox_tenant_models).get(job.owner)
        ref = adapters.model_registry().resolve(reference, settings.default_model_name)
    limits = ingest_limits(ref.name, ref.version)
    if job.explain and limits.explainable is False:
        raise ExplainNotSupported(ref.name, ref.version)
    return ModelChoice(ref=ref, limits=limits)
