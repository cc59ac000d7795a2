"""The job routes: read the request, call one function of status_jobs, answer."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Literal

import status_jobs as logic
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from status_auth import ReadingCaller, WritingCaller
from status_models import (
    ArchiveRequest,
    CreatedJob,
    CreateJobRequest,
    JobPage,
    JobView,
    ResultLink,
)

from batchscore_core import adapters
from batchscore_core.api_docs import AUTH, BEARER, MISSING, answers
from batchscore_core.models import JobStatus
from batchscore_core.settings import get_settings

router = Router()

JobIdPath = Annotated[str, Path(description="The job id (32 hex characters)")]
ARCHIVED = {"false": False, "true": True, "all": None}


@router.post(
    "/jobs",
    status_code=HTTPStatus.CREATED,
    summary="Create a job and a presigned upload for its CSV",
    security=BEARER,
    responses=answers(
        201,
        "The job and its upload form",
        AUTH,
        {404: "No such model or version (the names that exist are listed)"},
        {409: "This Idempotency-Key is still in use, or the version is not active"},
        {422: "Invalid request, or `explain` for a model that cannot explain"},
    ),
)
def create_job(
    request: CreateJobRequest,
    caller: WritingCaller,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="A retry with the same key (within an hour) returns the same job",
        ),
    ] = None,
    origin: Annotated[
        str | None,
        Header(
            alias="Origin",
            description="Sent by browsers: a person's job created from a web page has source "
            "`web`; without it (CLI, scripts) the source is `api`",
        ),
    ] = None,
) -> CreatedJob:
    settings = get_settings()
    # The version is fixed now: a promotion never changes a job already submitted.
    registry = adapters.model_registry()
    model = registry.resolve(request.model, settings.default_model_name)
    if request.explain:
        registry.check_explain(model)  # the flag publish recorded: the model is not loaded
    job = logic.submit_job(
        adapters.transitions(),
        settings,
        caller,
        request,
        idempotency_key=idempotency_key,
        from_browser=origin is not None,
        lambda_context=router.lambda_context,
        model=model,
        secrets=adapters.webhook_secrets(),
    )
    upload = logic.upload_form(
        adapters.data_store(),
        job,
        max_bytes=settings.max_upload_bytes,
        ttl_seconds=settings.upload_url_ttl_seconds,
    )
    return CreatedJob(job_id=job.job_id, status=job.status, upload=upload, job=JobView.of(job))


@router.get(
    "/jobs",
    summary="The caller's jobs, newest first",
    security=BEARER,
    responses=answers(200, "A page of jobs", AUTH, {400: "The next_token is not one we issued"}),
)
def list_jobs(
    caller: ReadingCaller,
    status: Annotated[
        list[JobStatus] | None, Query(description="Only these states (comma-separated)")
    ] = None,
    archived: Annotated[
        Literal["false", "true", "all"], Query(description="Archived jobs: hidden by default")
    ] = "false",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    next_token: Annotated[str | None, Query(max_length=2048)] = None,
) -> JobPage:
    jobs, token = adapters.job_store().list_owned(
        caller.owner,
        statuses=status or (),
        archived=ARCHIVED[archived],
        limit=limit,
        next_token=next_token,
    )
    return JobPage(items=[JobView.of(job) for job in jobs], next_token=token)


@router.get(
    "/jobs/<job_id>",
    summary="One job",
    security=BEARER,
    responses=answers(200, "The job", AUTH, MISSING),
)
def get_job(job_id: JobIdPath, caller: ReadingCaller) -> JobView:
    return JobView.of(logic.owned_job(adapters.job_store(), job_id, caller.owner))


@router.get(
    "/jobs/<job_id>/result",
    summary="A short-lived download link for the job's Excel result",
    security=BEARER,
    responses=answers(200, "The download link", AUTH, MISSING, {409: "The job has not succeeded"}),
)
def get_result(job_id: JobIdPath, caller: ReadingCaller) -> ResultLink:
    return logic.result_link(
        adapters.job_store(),
        adapters.data_store(),
        caller.owner,
        job_id,
        ttl_seconds=get_settings().result_url_ttl_seconds,
    )


@router.post(
    "/jobs/<job_id>/retry",
    status_code=HTTPStatus.ACCEPTED,
    summary="Queue a failed or rejected job again",
    security=BEARER,
    responses=answers(
        202, "The job, queued again", AUTH, MISSING, {409: "Not FAILED nor REJECTED"}
    ),
)
def retry_job(job_id: JobIdPath, caller: WritingCaller) -> JobView:
    job = logic.retry_job(adapters.transitions(), caller.owner, job_id)
    return JobView.of(job)


@router.post(
    "/jobs/<job_id>/archive",
    summary="Archive (hide from the default list) or unarchive a job",
    security=BEARER,
    responses=answers(200, "The job", AUTH, MISSING),
)
def archive_job(
    job_id: JobIdPath,
    caller: WritingCaller,
    request: Annotated[ArchiveRequest | None, Body()] = None,
) -> JobView:
    archived = request.archived if request else True
    job = logic.archive_job(adapters.transitions(), caller.owner, job_id, archived=archived)
    return JobView.of(job)


@router.delete(
    "/jobs/<job_id>",
    status_code=HTTPStatus.NO_CONTENT,
    summary="Delete a job and its files",
    security=BEARER,
    responses=answers(204, "Deleted", AUTH, MISSING, empty=True),
)
def delete_job(job_id: JobIdPath, caller: WritingCaller) -> Response[None]:
    logic.delete_job(adapters.transitions(), caller.owner, job_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)
