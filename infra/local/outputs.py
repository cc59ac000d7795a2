"""The template's Outputs, resolved for the local stack, and the web page's config.json."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from infra.local.errors import TemplateError
from infra.local.template import StackTemplate

log = logging.getLogger("infra.local")

# An HttpApi's AWS address (`https://<id>.execute-api.<region>.amazonaws.com[/stage]`) is the
# local API server here, and a user pool domain (`https://<prefix>.auth.<region>.amazoncognito.com`,
# the OAuth2 token URL) is the local web server (`oauth.py`); this is the only place that
# rewrites them.
_EXECUTE_API_URL = re.compile(r"https://[^/.]+\.execute-api\.[^/]+\.amazonaws\.com(/\$default)?")
_USER_POOL_DOMAIN_URL = re.compile(r"https://[^/.]+\.auth\.[^/.]+\.amazoncognito\.com")


def localize(value: Any, api_url: str, auth_url: str | None = None) -> Any:
    if not isinstance(value, str):
        return value
    value = _EXECUTE_API_URL.sub(api_url, value)
    return _USER_POOL_DOMAIN_URL.sub(auth_url, value) if auth_url else value


def resolve_outputs(
    stack: StackTemplate, api_url: str, auth_url: str | None = None
) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, output in stack.outputs().items():
        condition = output.get("Condition")
        if condition is not None and not stack.resolver.condition(condition):
            continue
        try:
            resolved[key] = localize(stack.resolver.resolve(output["Value"]), api_url, auth_url)
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
