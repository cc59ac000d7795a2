"""Settings: read from the environment once per cold start, then passed around as values."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """What the template sets for every function (docs/INTERNALS.md lists them)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    jobs_table_name: str = Field(alias="JOBS_TABLE_NAME")
    data_bucket_name: str = Field(alias="DATA_BUCKET_NAME")
    jobs_queue_url: str = Field(default="", alias="JOBS_QUEUE_URL")
    idempotency_table_name: str = Field(default="", alias="IDEMPOTENCY_TABLE_NAME")
    event_bus_name: str = Field(default="default", alias="EVENT_BUS_NAME")
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0, alias="MAX_UPLOAD_BYTES")
    upload_url_ttl_seconds: int = Field(default=900, gt=0, alias="UPLOAD_URL_TTL_SECONDS")
    result_url_ttl_seconds: int = Field(default=300, gt=0, alias="RESULT_URL_TTL_SECONDS")
    job_ttl_days: int = Field(default=90, gt=0, alias="JOB_TTL_DAYS")
    progress_interval_seconds: float = Field(default=1.0, ge=0, alias="PROGRESS_INTERVAL_SECONDS")
    scoring_chunk_rows: int = Field(default=20_000, ge=1, alias="SCORING_CHUNK_ROWS")
    bad_rows_policy: str = Field(
        default="reject", pattern="^(reject|skip)$", alias="BAD_ROWS_POLICY"
    )
    webhook_secrets_parameter: str = Field(default="", alias="WEBHOOK_SECRETS_PARAMETER")
    webhook_secrets_max_age_seconds: int = Field(
        default=300, ge=0, alias="WEBHOOK_SECRETS_MAX_AGE_SECONDS"
    )
    # Template parameter AllowLoopbackCallbacks, true on local stacks only: lets a webhook go
    # to http(s)://127.0.0.1 or localhost on any port.
    allow_loopback_callbacks: bool = Field(default=False, alias="ALLOW_LOOPBACK_CALLBACKS")
    webhook_queue_url: str = Field(default="", alias="WEBHOOK_QUEUE_URL")
    # The model registry (issue 10): its table, and the model a job gets when it names none.
    models_table_name: str = Field(default="", alias="MODELS_TABLE_NAME")
    default_model_name: str = Field(default="breast-cancer", alias="DEFAULT_MODEL_NAME")
    # Drop folder: `tenant=model[@version],...`, each tenant's default model (issue 10).
    dropbox_tenant_models: str = Field(default="", alias="DROPBOX_TENANT_MODELS")
    # Template parameter MaxActiveJobsPerOwner: POST /jobs answers 429 beyond it (0: no cap).
    max_active_jobs_per_owner: int = Field(default=0, ge=0, alias="MAX_ACTIVE_JOBS_PER_OWNER")
    # Retraining (issue 11): the queue that starts runs, how long a run may hold its model's
    # lock (longer than TrainFunction's timeout), and how many accepted files a run reads.
    training_queue_url: str = Field(default="", alias="TRAINING_QUEUE_URL")
    training_lease_seconds: int = Field(default=960, gt=0, alias="TRAINING_LEASE_SECONDS")
    training_window_files: int = Field(default=20, gt=0, alias="TRAINING_WINDOW_FILES")
    retrain_schedule: str = Field(default="rate(7 days)", alias="RETRAIN_SCHEDULE")
    # Retrain on sustained drift (issue 12): "" off, or "<k>/<n>" (drift_log.SustainedDrift).
    drift_retrain_k_of_n: str = Field(default="", alias="DRIFT_RETRAIN_K_OF_N")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The one place that reads os.environ; cached for the life of the container."""
    return Settings.model_validate(dict(os.environ))
