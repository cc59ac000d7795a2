"""Which stack `make user|smoke|destroy STAGE=...` talk to: a deployed stage, or `make run`'s.

`STAGE=dev|prod`: samconfig.toml gives the stack name and region, CloudFormation the Outputs, and
boto3 your usual credentials. `STAGE=local`: the stack `make run` started (its `.local/ready`
file names the emulator and the Outputs), with the emulator's local credentials.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from infra.local.settings import LOCAL_CREDENTIAL

ROOT = Path(__file__).resolve().parents[2]
LOCAL = "local"
DEFAULT_LOCAL_DIR = ROOT / ".local"


class StackNotFound(RuntimeError):
    """The stage has no stack to talk to (not deployed, or `make run` not running)."""


@dataclass(frozen=True)
class Target:
    stage: str
    stack_name: str
    region: str
    outputs: dict[str, Any]
    client: Callable[[str], Any]

    @property
    def local(self) -> bool:
        return self.stage == LOCAL


def deploy_settings(stage: str, samconfig: Path = ROOT / "samconfig.toml") -> tuple[str, str]:
    """(stack name, region) that `sam deploy --config-env <stage>` uses."""
    config = tomllib.loads(samconfig.read_text())
    if stage not in config:
        raise StackNotFound(f"samconfig.toml has no [{stage}] environment")
    section = config[stage]
    stack_name = section["deploy"]["parameters"]["stack_name"]
    region = section.get("global", {}).get("parameters", {}).get("region")
    return str(stack_name), str(region)


def _aws_target(stage: str) -> Target:
    stack_name, region = deploy_settings(stage)
    cloudformation = boto3.client("cloudformation", region_name=region)
    try:
        (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except cloudformation.exceptions.ClientError as exc:
        raise StackNotFound(f"{stack_name} in {region}: {exc}") from exc
    outputs = {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}

    def client(service: str) -> Any:
        return boto3.client(service, region_name=region)  # type: ignore[call-overload]

    return Target(stage, stack_name, region, outputs, client)


def _local_target(local_dir: Path) -> Target:
    ready = local_dir / "ready"
    if not ready.exists():
        raise StackNotFound(f"no {ready}: start the local stack first (make run)")
    summary = json.loads(ready.read_text())
    region = str(summary.get("region", "us-east-1"))
    emulator = str(summary["emulator_url"])

    def client(service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=emulator,
            region_name=region,
            aws_access_key_id=LOCAL_CREDENTIAL,
            aws_secret_access_key=LOCAL_CREDENTIAL,
            config=Config(signature_version="s3v4"),
        )

    return Target(LOCAL, "batchscore-local", region, dict(summary["outputs"]), client)


def target(stage: str, local_dir: Path = DEFAULT_LOCAL_DIR) -> Target:
    return _local_target(local_dir) if stage == LOCAL else _aws_target(stage)
