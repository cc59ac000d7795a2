"""Expand the SAM transform offline, so cfn-lint can see inside AWS::Serverless::* resources."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

LINT_REGION = "us-east-1"
# Local code paths become S3 addresses, as `sam package` would make them.
_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class TranslationFailed(Exception):
    """samtranslator rejected the template; `messages` are its causes."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _no_managed_policies() -> dict[str, str]:
    """The template names managed policies by ARN only, so no IAM lookup is needed."""
    return {}


def _with_s3_code(template: dict[str, Any]) -> dict[str, Any]:
    for name, resource in (template.get("Resources") or {}).items():
        code_property = _CODE_PROPERTIES.get(str(resource.get("Type")))
        properties = resource.get("Properties") or {}
        if code_property and isinstance(properties.get(code_property), str):
            properties[code_property] = f"s3://batchscore-lint-artifacts/{name}.zip"
    return template


def translate(body: Mapping[str, Any], region: str = LINT_REGION) -> dict[str, Any]:
    """The CloudFormation that SAM would deploy for `body` (a template with local code paths)."""
    # A JSON round trip drops cfn-lint's node classes and gives the translator its own copy.
    template = _with_s3_code(json.loads(json.dumps(body)))
    # A session with a region and no credentials: the translator reads only its region.
    session = boto3.session.Session(region_name=region)
    translator = Translator(None, Parser(), boto_session=session)
    try:
        return translator.translate(template, {}, get_managed_policy_map=_no_managed_policies)
    except InvalidDocumentException as exc:
        raise TranslationFailed([str(cause) for cause in exc.causes]) from exc
