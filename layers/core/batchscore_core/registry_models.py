"""The model registry's records (ModelsTable) and its domain errors. Light: pydantic only."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from batchscore_core.errors import BatchscoreError
from batchscore_core.models import ErrorDetail

ModelName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
VersionName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
_MODEL_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

CHAMPION = "champion"
CHALLENGER = "challenger"
ALIASES = (CHAMPION, CHALLENGER)


class VersionStatus(StrEnum):
    ACTIVE = "active"
    REJECTED = "rejected"
    RETIRED = "retired"


class UploadStatus(StrEnum):
    AWAITING_UPLOAD = "AWAITING_UPLOAD"
    VALIDATING = "VALIDATING"
    PUBLISHED = "PUBLISHED"
    REFUSED = "REFUSED"


class TrainingPlan(BaseModel):
    """How the retraining of a model is judged (issue 11 fills it; shown by GET /models/{name})."""

    label: str | None = None
    primary_metric: str | None = None
    floor: float | None = None
    tolerance: float | None = None
    schedule: str | None = None
    min_gain: float | None = None  # instead of tolerance: the gain over the champion required
    recipe: str | None = None  # the recipe's name (functions/train/train_recipes.py)


class ModelRecord(BaseModel):
    """A model: its task, its aliases and the revision every alias move is conditioned on."""

    name: str
    task: str
    aliases: dict[str, str]
    revision: int = 0
    version_count: int = 0
    created_at: str
    training: TrainingPlan = Field(default_factory=TrainingPlan)

    @property
    def champion(self) -> str:
        return self.aliases[CHAMPION]


class VersionFacts(BaseModel):
    """What a version was published with: its record keeps it and `GET .../versions/{v}` shows it."""

    name: str
    version: str
    created_at: str
    created_by: str
    primary_metric: str
    metrics: dict[str, float]
    training_data_fingerprint: str
    library_versions: dict[str, str]
    estimator: str = ""
    dataset: str = ""
    trained_at: str | None = None
    # Whether `explain` can give its reasons, found at publish; None for versions published
    # before it was recorded (then scoring decides, as before).
    explainable: bool | None = None


class VersionRecord(VersionFacts):
    """One immutable version: what `metadata.json` says plus who published it and its status."""

    status: VersionStatus = VersionStatus.ACTIVE
    files: list[str] = Field(default_factory=list)
    # sha256 of the version's checksums.sha256: what the loader checks the S3 copy against.
    checksums_sha256: str
    upload_id: str | None = None  # the publish upload that registered it (None for seeds)

    def summary(self) -> dict[str, Any]:
        """The `versions[]` entry of GET /models/{name} (DESIGN.md)."""
        return {
            "version": self.version,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "primary_metric": self.primary_metric,
            "metrics": self.metrics,
            "status": self.status.value,
        }


class AliasMove(BaseModel):
    """One line of the append-only alias history."""

    alias: str
    from_version: str | None = None
    to_version: str
    at: str
    by: str
    reason: str


class UploadRecord(BaseModel):
    """A bundle archive on its way in: presigned, then validated, then published or refused."""

    upload_id: str
    name: str
    status: UploadStatus
    key: str
    created_at: str
    created_by: str
    updated_at: str
    version: str | None = None
    error: dict[str, Any] | None = None
    lease_until: int | None = None  # epoch s: until then one delivery validates it

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"key", "lease_until"})


class ModelRef(BaseModel):
    """A resolved model: what a job records and what the loader fetches."""

    name: str
    version: str


def parse_model_ref(text: str) -> tuple[str, str | None]:
    """`name` or `name@version`; raises ModelNotFound for text that cannot name a model."""
    name, at, version = text.strip().partition("@")
    if not _MODEL_NAME.match(name) or (at and not _VERSION_NAME.match(version)):
        raise ModelNotFound(text, known=[])
    return name, version or None


def drop_model_reference(path: str) -> str | None:
    """`@<model>[@<version>]/<name>.csv` below a tenant's drop folder names the model."""
    first, separator, _ = path.partition("/")
    return first[1:] if separator and first.startswith("@") and len(first) > 1 else None


def tenant_models(setting: str) -> dict[str, str]:
    """`tenant=model[@version],...` (DROPBOX_TENANT_MODELS) -> {tenant: model reference}."""
    pairs = (item.partition("=") for item in setting.split(",") if item.strip())
    return {tenant.strip(): model.strip() for tenant, _, model in pairs if model.strip()}


def valid_model_name(name: str) -> bool:
    return bool(_MODEL_NAME.match(name))


def valid_version_name(version: str) -> bool:
    return bool(_VERSION_NAME.match(version))


# ------------------------------------------------------------------------------- errors


class RegistryError(BatchscoreError):
    """A registry error the HTTP API answers with `status` (batchscore_core.api_errors)."""

    status = 404
    details: list[ErrorDetail] = []


class ModelNotFound(RegistryError):
    code = "model_not_found"

    def __init__(self, name: str, known: list[str]) -> None:
        listed = ", ".join(known) or "none"
        super().__init__(f"no model {name!r}; models: {listed}")
        self.name = name
        self.known = known
        self.details = [ErrorDetail(column="model", message=model) for model in known]


class VersionNotFound(RegistryError):
    code = "version_not_found"

    def __init__(self, name: str, version: str, known: list[str]) -> None:
        listed = ", ".join(known) or "none"
        super().__init__(f"model {name!r} has no version {version!r}; versions: {listed}")
        self.name = name
        self.version = version
        self.known = known
        self.details = [ErrorDetail(column="version", message=v) for v in known]


class ExplainNotSupported(RegistryError):
    """`explain` asked of a version whose publish found it cannot give reasons."""

    code = "explain_unsupported"
    status = 422

    def __init__(self, name: str, version: str) -> None:
        super().__init__(
            f"model {name!r} version {version!r} cannot give reasons per row (explain): "
            "linear models and tree ensembles only; submit without explain, or choose another "
            "version"
        )
        self.name = name
        self.version = version
        self.details = [ErrorDetail(column="explain", message=f"{name}@{version}")]


def check_explain(record: VersionRecord, explain: bool) -> None:
    """Refuse `explain` for a version known not to support it; unknown (None): let it through."""
    if explain and record.explainable is False:
        raise ExplainNotSupported(record.name, record.version)


class VersionNotActive(RegistryError):
    code = "version_not_active"
    status = 409

    def __init__(self, name: str, version: str, status: str) -> None:
        super().__init__(f"version {version!r} of {name!r} is {status}, not active")
        self.version_status = status
        self.details = [ErrorDetail(column="status", message=status)]


class AliasConflict(RegistryError):
    """Another move of the model's aliases landed first: read the model again and retry."""

    code = "alias_conflict"
    status = 409

    def __init__(self, name: str, alias: str) -> None:
        super().__init__(f"the {alias} of {name!r} was moved meanwhile: read it again and retry")


class AliasUnchanged(AliasConflict):
    """The alias already names that version: a move that changes nothing is refused, so an
    alias only ever moves and a caller's `expected_version` cannot be satisfied by a no-op."""

    def __init__(self, name: str, alias: str, version: str) -> None:
        RegistryError.__init__(
            self, f"the {alias} of {name!r} is already {version!r}: read it again and retry"
        )


class UnknownAlias(RegistryError):
    code = "unknown_alias"

    def __init__(self, alias: str) -> None:
        super().__init__(f"no alias {alias!r}: aliases are {', '.join(ALIASES)}")


class UploadNotFound(RegistryError):
    code = "upload_not_found"

    def __init__(self, upload_id: str) -> None:
        super().__init__(f"no upload {upload_id!r}")


class NotAdmin(RegistryError):
    """Signed in, but neither in the `admins` group nor holding the `models/admin` scope."""

    code = "forbidden"
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "only admins may change the registry (Cognito group 'admins' or scope models/admin)"
        )


class InvalidModelName(RegistryError):
    code = "invalid_request"
    status = 422

    def __init__(self, name: str) -> None:
        message = f"{name!r} is not a model name: lowercase letters, digits and '-', at most 63"
        super().__init__(message)
        self.details = [ErrorDetail(column="name", message=message)]


class PublishRefused(BatchscoreError):
    """A bundle that cannot be trusted; `code` says why, `details` list what was found."""

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}
