"""The model registry's HTTP routes (RegistryFunction serves them; the status API documents them).

Any signed-in caller may read; only admins change: people in the Cognito group `admins`,
programs whose token has the scope `models/admin`. Logic lives in ModelRegistry and
registry_publish; a route reads its input, calls one thing, answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import Request
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field

from batchscore_core import adapters
from batchscore_core.identity import READ, MissingScope, caller_from_event
from batchscore_core.models import iso, utc_now
from batchscore_core.registry import model_upload_key
from batchscore_core.registry_models import (
    AliasMove,
    InvalidModelName,
    ModelRecord,
    NotAdmin,
    TrainingPlan,
    UploadRecord,
    UploadStatus,
    VersionFacts,
    valid_model_name,
)
from batchscore_core.settings import get_settings
from batchscore_core.storage import PresignedPost

ADMINS_GROUP = "admins"
ADMIN_SCOPE = "models/admin"
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024  # 1 GiB archive: a large forest fits
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]

router = Router()
RouteT = TypeVar("RouteT", bound=Callable[..., Any])


def secured(
    on: Router,
    method: str,
    path: str,
    *,
    summary: str,
    answer: str,
    status: HTTPStatus = HTTPStatus.OK,
    description: str | None = None,
) -> Callable[[RouteT], RouteT]:
    """A /models route: bearer-secured, its success answer documented (the error answers are
    the one error map's)."""
    return on.route(
        path,
        method,
        summary=summary,
        description=description,
        security=BEARER,
        status_code=status,
        responses={status.value: {"description": answer}},
    )


# ------------------------------------------------------------------------- callers


class RegistryCaller(BaseModel):
    label: str  # what `created_by` / `by` record: an email, a username or a client id
    is_admin: bool


def _groups(claims: dict[str, Any]) -> set[str]:
    """API Gateway passes list claims as `[a b]` text; the local runtime does the same."""
    value = claims.get("cognito:groups") or ""
    if isinstance(value, list):
        return {str(item) for item in value}
    return set(str(value).strip("[]").replace(",", " ").split())


def registry_caller(request: Request) -> RegistryCaller:
    event = request.resolved_event.raw_event
    caller = caller_from_event(event)
    claims = (event.get("requestContext", {}).get("authorizer") or {}).get("jwt", {})["claims"]
    if caller.is_machine:
        label = str(claims.get("client_id") or caller.owner)
        return RegistryCaller(label=label, is_admin=ADMIN_SCOPE in caller.scopes)
    label = str(claims.get("email") or claims.get("cognito:username") or caller.owner)
    return RegistryCaller(label=label, is_admin=ADMINS_GROUP in _groups(claims))


def reader(request: Request) -> RegistryCaller:
    caller = registry_caller(request)
    scopes = caller_from_event(request.resolved_event.raw_event)
    if scopes.is_machine and not caller.is_admin and READ not in scopes.scopes:
        raise MissingScope(READ)
    return caller


def admin(request: Request) -> RegistryCaller:
    caller = registry_caller(request)
    if not caller.is_admin:
        raise NotAdmin()
    return caller


Reader = Annotated[RegistryCaller, Depends(reader)]
Admin = Annotated[RegistryCaller, Depends(admin)]
NamePath = Annotated[str, Path(description="The model name", max_length=63)]


# ------------------------------------------------------------------------ bodies


class ModelSummary(BaseModel):
    name: str
    task: str
    aliases: dict[str, str]
    versions: int
    default: bool


class ModelList(BaseModel):
    items: list[ModelSummary]


class VersionSummary(BaseModel):
    version: str
    created_at: str
    created_by: str
    primary_metric: str
    metrics: dict[str, float]
    status: str


class ModelView(BaseModel):
    name: str
    task: str
    aliases: dict[str, str]
    versions: list[VersionSummary]
    history: list[AliasMove]
    training: TrainingPlan


class VersionView(VersionFacts):
    """A version's metadata and its input schema (`columns` as in GET /model)."""

    model_config = ConfigDict(extra="allow")

    status: str
    task: str
    aliases: list[str]
    columns: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    classes: list[Any] | None = None


class MoveAliasRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=500)
    expected_version: str | None = Field(
        default=None,
        description="Where the caller saw the alias: if it moved since, the answer is 409",
    )


class StartPublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(
        default="bundle.tar.gz", max_length=255, description="The archive's name (for the record)"
    )


class UploadFormBody(BaseModel):
    url: str
    fields: dict[str, str]
    expires_at: str

    @classmethod
    def presigned(
        cls, presign: Callable[..., PresignedPost], key: str, max_bytes: int
    ) -> UploadFormBody:
        """`presign`'s POST form for `key`, valid as long as the settings' upload TTL."""
        ttl_seconds = get_settings().upload_url_ttl_seconds
        form = presign(key, max_bytes=max_bytes, ttl_seconds=ttl_seconds)
        return cls(url=form.url, fields=form.fields, expires_at=form.expires_at)


class PublishStarted(BaseModel):
    upload_id: str
    status: UploadStatus
    upload: UploadFormBody


class UploadView(BaseModel):
    upload_id: str
    name: str
    status: UploadStatus
    version: str | None = None
    created_at: str
    created_by: str
    updated_at: str
    error: dict[str, Any] | None = None


# ------------------------------------------------------------------------- views


def model_view(name: str) -> ModelView:
    registry = adapters.model_registry()
    model = registry.get_model(name)
    return ModelView(
        name=model.name,
        task=model.task,
        aliases=model.aliases,
        versions=[
            VersionSummary.model_validate(record.summary())
            for record in registry.list_versions(name)
        ],
        history=registry.history(name),
        training=model.training,
    )


def _summary(model: ModelRecord, default_name: str) -> ModelSummary:
    return ModelSummary(
        name=model.name,
        task=model.task,
        aliases=model.aliases,
        versions=model.version_count,
        default=model.name == default_name,
    )


# ------------------------------------------------------------------------ routes


@secured(
    router,
    "GET",
    "/models",
    summary="Every model with its aliases (RegistryFunction)",
    answer="The models",
)
def list_models(caller: Reader) -> ModelList:
    default_name = get_settings().default_model_name
    models = adapters.model_registry().list_models()
    return ModelList(items=[_summary(model, default_name) for model in models])


@secured(
    router,
    "GET",
    "/models/<name>",
    summary="A model: versions, aliases, alias history, training plan",
    answer="The model",
)
def get_model(name: NamePath, caller: Reader) -> ModelView:
    return model_view(name)


@secured(
    router,
    "GET",
    "/models/<name>/versions/<version>",
    summary="One version: its metadata and input schema",
    answer="The version",
)
def get_version(name: NamePath, version: str, caller: Reader) -> VersionView:
    registry = adapters.model_registry()
    record = registry.get_version(name, version)
    model = registry.get_model(name)
    schema = adapters.model_files().schema(name, version, record.checksums_sha256)
    return VersionView.model_validate(
        {
            **record.model_dump(mode="json", exclude={"files", "checksums_sha256"}),
            "task": model.task,
            "aliases": [alias for alias, target in model.aliases.items() if target == version],
            "columns": schema.get("columns", []),
            "outputs": schema.get("outputs", []),
            "classes": schema.get("classes"),
        }
    )


@secured(
    router,
    "PUT",
    "/models/<name>/aliases/<alias>",
    summary="Point an alias (champion, challenger) at an active version (admins)",
    answer="The model after the move",
)
def move_alias(name: NamePath, alias: str, request: MoveAliasRequest, caller: Admin) -> ModelView:
    move = adapters.model_registry().move_alias(
        name,
        alias,
        request.version,
        by=caller.label,
        reason=request.reason,
        expected_version=request.expected_version,
    )
    adapters.model_events().alias_changed(name, move)
    return model_view(name)


@secured(
    router,
    "POST",
    "/models/<name>/versions",
    summary="Start publishing a version: a presigned upload for its bundle archive (admins)",
    answer="The upload and its form",
    status=HTTPStatus.CREATED,
    description=(
        "POST the archive (.tar.gz or .zip of model.skops, schema.json, metadata.json, "
        "checksums.sha256 and optional reference.json) to `upload.url` with `upload.fields`, "
        "then poll GET /models/{name}/uploads/{upload_id} until PUBLISHED or REFUSED."
    ),
)
def start_publish(
    name: NamePath, caller: Admin, request: StartPublishRequest | None = None
) -> PublishStarted:
    if not valid_model_name(name):
        raise InvalidModelName(name)
    upload_id = uuid.uuid4().hex
    now = iso(utc_now())
    key = model_upload_key(name, upload_id)
    upload = UploadRecord(
        upload_id=upload_id,
        name=name,
        status=UploadStatus.AWAITING_UPLOAD,
        key=key,
        created_at=now,
        created_by=caller.label,
        updated_at=now,
    )
    adapters.model_registry().create_upload(upload)
    form = UploadFormBody.presigned(adapters.model_files().presigned_upload, key, MAX_BUNDLE_BYTES)
    return PublishStarted(upload_id=upload_id, status=upload.status, upload=form)


@secured(
    router,
    "GET",
    "/models/<name>/uploads/<upload_id>",
    summary="How a publish upload went: PUBLISHED (with its version) or REFUSED (with why)",
    answer="The upload",
)
def get_upload(name: NamePath, upload_id: str, caller: Admin) -> UploadView:
    record = adapters.model_registry().get_upload(name, upload_id)
    return UploadView.model_validate(record.public())
