"""The runtime's settings: environment variables, overridden by command-line flags."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_CREDENTIAL = "local"
"""The emulator accepts any key: this one says plainly that it is not a real AWS key."""

REPO_ROOT = Path(__file__).resolve().parents[2]

PORT_ENV_VARS = {
    "emulator_port": "BATCHSCORE_EMULATOR_PORT",
    "api_port": "BATCHSCORE_API_PORT",
    "web_port": "BATCHSCORE_WEB_PORT",
}


class LocalSettings(BaseSettings):
    model_config = SettingsConfigDict(populate_by_name=True, extra="forbid")

    host: str = Field("127.0.0.1", validation_alias="BATCHSCORE_HOST")

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        """The local stack has demo credentials and no real auth on the emulator: never expose it."""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(
                f"BATCHSCORE_HOST={host!r} is not a loopback address: the local stack binds to "
                "127.0.0.1 (or another 127.x address, ::1, localhost) only"
            )
        return host

    emulator_port: int = Field(5000, validation_alias="BATCHSCORE_EMULATOR_PORT")
    api_port: int = Field(3000, validation_alias="BATCHSCORE_API_PORT")
    web_port: int = Field(8080, validation_alias="BATCHSCORE_WEB_PORT")
    region: str = Field("us-east-1", validation_alias="AWS_DEFAULT_REGION")
    stack_name: str = Field("batchscore-local", validation_alias="BATCHSCORE_STACK_NAME")
    template: Path = Field(REPO_ROOT / "template.yaml", validation_alias="BATCHSCORE_TEMPLATE")
    web_dir: Path = Field(REPO_ROOT / "web", validation_alias="BATCHSCORE_WEB_DIR")
    state_dir: Path = Field(REPO_ROOT / ".local", validation_alias="BATCHSCORE_LOCAL_DIR")
    concurrency: int = Field(2, ge=1, validation_alias="BATCHSCORE_LOCAL_CONCURRENCY")
    visibility_timeout: int | None = Field(
        None, ge=0, validation_alias="BATCHSCORE_LOCAL_VISIBILITY_TIMEOUT"
    )
    max_timeout_seconds: int | None = Field(
        None, ge=1, validation_alias="BATCHSCORE_LOCAL_MAX_TIMEOUT_SECONDS"
    )
    """Caps every function's Timeout (and so a job's lease), as the visibility override does
    for queues: fault tests see a killed attempt taken over in seconds, not 15 minutes."""
    poll_wait_seconds: int = Field(
        5, ge=0, le=20, validation_alias="BATCHSCORE_LOCAL_POLL_WAIT_SECONDS"
    )
    ttl_sweep_seconds: float = Field(60, validation_alias="BATCHSCORE_LOCAL_TTL_SWEEP_SECONDS")
    # Every AWS::Scheduler::Schedule fires this often instead of at its own rate (tests, demos).
    schedule_seconds: float | None = Field(
        None, gt=0, validation_alias="BATCHSCORE_SCHEDULE_SECONDS"
    )
    demo_user: str = Field("demo@example.com", validation_alias="BATCHSCORE_DEMO_USER")
    demo_password: str = Field("Local-Demo-Pass-1", validation_alias="BATCHSCORE_DEMO_PASSWORD")
    # A second, non-admin user (the demo user is in the `admins` group): reads, cannot promote.
    viewer_user: str = Field("viewer@example.com", validation_alias="BATCHSCORE_VIEWER_USER")
    viewer_password: str = Field(
        "Local-Viewer-Pass-1", validation_alias="BATCHSCORE_VIEWER_PASSWORD"
    )
    record_aws_calls: Path | None = Field(
        None, validation_alias="BATCHSCORE_LOCAL_RECORD_AWS_CALLS"
    )
    """A directory: each function's AWS calls go to `<LogicalId>.jsonl` in it (least privilege)."""
    parameters: dict[str, str] = Field(default_factory=dict)
    web_origin_parameter: str = "WebOrigin"

    @property
    def emulator_url(self) -> str:
        return f"http://{self.host}:{self.emulator_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    @property
    def token_url(self) -> str:
        """The user pool domain's OAuth2 token endpoint, served by the web server (`oauth.py`)."""
        return f"{self.web_url}/oauth2/token"

    def local_only_environment(self) -> dict[str, str]:
        """Handler settings that only local stacks set: webhook secrets edited in the emulator
        show within seconds (loopback callbacks come from the AllowLoopbackCallbacks parameter)."""
        return {"WEBHOOK_SECRETS_MAX_AGE_SECONDS": "5"}

    def aws_environment(self) -> dict[str, str]:
        """What points boto3 at the emulator, in the runtime and in every handler process."""
        return {
            "AWS_ENDPOINT_URL": self.emulator_url,
            "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIAL,
            "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIAL,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }
