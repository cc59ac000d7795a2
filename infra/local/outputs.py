"""The template's Outputs, resolved for the local stack, and the web page's config.json."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from infra.local.errors import TemplateError
from infra.local.template import StackTemplate

log = logging.getLogger("batchscore.local")

# An HttpApi's AWS address (`https://<id>.execute-api.<region>.amazonaws.com[/stage]`) is the
# local API server here; this is the only place that rewrites it.
_EXECUTE_API_URL = re.compile(r"https://[^/.]+\.execute-api\.[^/]+\.amazonaws\.com(/\$default)?")


def localize(value: Any, api_url: str) -> Any:
    if isinstance(value, str):
        return _EXECUTE_API_URL.sub(api_url, value)
    return value


def resolve_outputs(stack: StackTemplate, api_url: str) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, output in stack.outputs().items():
        condition = output.get("Condition")
        if condition is not None and not stack.resolver.condition(condition):
            continue
        try:
            resolved[key] = localize(stack.resolver.resolve(output["Value"]), api_url)
        except TemplateError as exc:
            log.warning("skip output %s: %s", key, exc)
    return resolved


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def web_config(
    outputs: dict[str, Any], *, api_url: str, region: str, cognito_endpoint: str
) -> dict[str, Any]:
    """config.json for the web page; the same keys the deploy writes for CloudFront."""
    return {
        "apiUrl": api_url,
        "region": region,
        "userPoolId": outputs.get("UserPoolId"),
        "userPoolClientId": outputs.get("UserPoolClientId"),
        "bucket": outputs.get("DataBucketName"),
        "cognitoEndpoint": cognito_endpoint,
    }
