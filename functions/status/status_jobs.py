"""What the API does with jobs: plain values and adapters in, jobs out (no HTTP here)."""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import TypeAdapter, ValidationError
from status_exceptions import InsecureCallback, TooManyActiveJobs
from status_idempotency import create_once
from status_models import CreateJobRequest, ResultLink, UploadForm

from batchscore_core.callback_address import CallbackRefused, check_form
from batchscore_core.errors import JobNotFound, ResultNotReady
from batchscore_core.identity import Caller
from batchscore_core.keys import new_job_id, result_stem
from batchscore_core.models import Job, JobId, JobSource, JobStatus, Webhook, iso, utc_now
from batchscore_core.origins import new_upload_job
from batchscore_core.registry_models import ModelRef
from batchscore_core.settings import Settings
from batchscore_core.storage import DataStore, input_content_type
from batchscore_core.store import JobStore
from batchscore_core.transitions import Transitions
from batchscore_core.webhook_secrets import SecretNotFound, SecretSource, SecretsUnavailable

_JOB_ID: TypeAdapter[str] = TypeAdapter(JobId)


def owned_job(jobs: JobStore, job_id: str, owner: str) -> Job:
    """The caller's job; a malformed id is reported like a missing job."""
    try:
        _JOB_ID.validate_python(job_id)
    except ValidationError as exc:
        raise JobNotFound(job_id) from exc
    return jobs.get_owned(job_id, owner)


def job_source(caller: Caller, *, from_browser: bool) -> JobSource:
    """`web` for a person on a web page (browsers send `Origin`); the CLI, curl, programs: `api`."""
    return JobSource.WEB if from_browser and not caller.is_machine else JobSource.API


def new_job(
    caller: Caller,
    request: CreateJobRequest,
    model: ModelRef | None = None,
    *,
    from_browser: bool = True,
) -> Job:
    job = new_upload_job(
        new_job_id(),
        caller.owner,
        request.filename,
        job_source(caller, from_browser=from_browser),
        Webhook(url=request.callback_url) if request.callback_url else None,
    )
    job = job.model_copy(update={"sheet": request.sheet, "column_map": request.column_map})
    if model is None:
        return job
    return job.model_copy(update={"model_name": model.name, "model_version": model.version})


def check_callback(
    url: str | None, *, allow_loopback: bool, secrets: SecretSource, owner: str
) -> None:
    """A callback must be deliverable (form) and signable (the owner has a secret), or refused.

    Its addresses are checked again at every delivery: a name may resolve elsewhere later.
    """
    if url is None:
        return
    try:
        check_form(url, allow_loopback=allow_loopback)
    except CallbackRefused as exc:
        raise InsecureCallback(str(exc)) from exc
    try:
        secrets.secret_for(owner)
    except (SecretNotFound, SecretsUnavailable) as exc:
        raise InsecureCallback(
            "no webhook signing secret is registered for you, so a webhook could not be "
            "signed: ask the operator for one (docs/partners.md, Secrets), or poll instead"
        ) from exc


def check_active_jobs(jobs: JobStore, settings: Settings, owner: str) -> None:
    """Abuse limit: at most `max_active_jobs_per_owner` unfinished jobs per owner (0: no cap)."""
    limit = settings.max_active_jobs_per_owner
    if not limit:
        return
    since = iso(utc_now() - timedelta(seconds=settings.upload_url_ttl_seconds))
    if jobs.count_active(owner, awaiting_since=since, at_most=limit) >= limit:
        raise TooManyActiveJobs(limit)


def submit_job(
    life: Transitions,
    settings: Settings,
    caller: Caller,
    request: CreateJobRequest,
    *,
    idempotency_key: str | None,
    lambda_context: LambdaContext,
    model: ModelRef | None = None,
    secrets: SecretSource,
    from_browser: bool = True,
) -> Job:
    """Store a new job awaiting its upload; a repeated Idempotency-Key finds the first one."""
    check_callback(
        request.callback_url,
        allow_loopback=settings.allow_loopback_callbacks,
        secrets=secrets,
        owner=caller.owner,
    )

    def create() -> Job:
        check_active_jobs(life.store, settings, caller.owner)  # a repeated key is not a new job
        return life.submit(new_job(caller, request, model, from_browser=from_browser))

    if idempotency_key is None:
        return create()
    job_id = create_once(
        create,
        table_name=settings.idempotency_table_name,
        owner=caller.owner,
        key=idempotency_key,
        request=request.model_dump(mode="json"),
        lambda_context=lambda_context,
    )
    return life.store.get_owned(job_id, caller.owner)


def upload_form(data: DataStore, job: Job, *, max_bytes: int, ttl_seconds: int) -> UploadForm:
    post = data.presigned_post(
        job.input_key,
        max_bytes=max_bytes,
        ttl_seconds=ttl_seconds,
        content_type=input_content_type(job.filename),
    )
    return UploadForm(url=post.url, fields=post.fields, expires_at=post.expires_at)


def result_link(
    jobs: JobStore, data: DataStore, owner: str, job_id: str, *, ttl_seconds: int
) -> ResultLink:
    job = owned_job(jobs, job_id, owner)
    if job.status is not JobStatus.SUCCEEDED or job.result_key is None:
        raise ResultNotReady(job.job_id, job.status)
    url, expires_at = data.presigned_get(
        job.result_key,
        ttl_seconds=ttl_seconds,
        download_name=f"{result_stem(job.filename)}.xlsx",
        version_id=job.result_version_id,
    )
    return ResultLink(url=url, expires_at=expires_at)


def retry_job(life: Transitions, owner: str, job_id: str) -> Job:
    """FAILED or REJECTED back to QUEUED, with a fresh attempt, and on the jobs queue again."""
    return life.retry(owned_job(life.store, job_id, owner))


def archive_job(life: Transitions, owner: str, job_id: str, *, archived: bool) -> Job:
    return life.archive(owned_job(life.store, job_id, owner), archived=archived)


def delete_job(life: Transitions, owner: str, job_id: str) -> None:
    life.delete(owned_job(life.store, job_id, owner))
