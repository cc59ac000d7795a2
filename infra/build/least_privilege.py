"""Least privilege, checked offline: is each recorded AWS call allowed by its function's policies?

The policies are those `template.yaml` gives the function's role once the SAM transform has
expanded them (policy templates such as `DynamoDBCrudPolicy` included), resolved to the names the
local stack used. The calls are those the local runtime recorded (infra/local/aws_calls.py).

`python -m infra.build.least_privilege <calls dir> [--template template.yaml]` prints every call a
policy does not allow and exits 1 if there is one.

The evaluation is IAM's for identity policies without conditions: an explicit Deny wins, else an
Allow whose Action and Resource (or NotAction / NotResource) match, wildcards `*` and `?`
(actions case-insensitive). Conditions are not evaluated (none of the functions' policies has one).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra.build.sam_translate import translate
from infra.build.template_source import load_template
from infra.local.aws_calls import PHYSICAL_IDS_FILE, read_calls
from infra.local.errors import TemplateError
from infra.local.intrinsics import Resolver

ROOT = Path(__file__).resolve().parents[2]

# The AWS managed policies SAM attaches to function roles, as AWS publishes them.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    "AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        },
    ],
}
_SQS_BATCH = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_TRANSACT_ACTIONS = {
    "ConditionCheck": "ConditionCheckItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "Get": "GetItem",
}
_S3_OBJECT_WRITES = {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}
_S3_BUCKET_ACTIONS = {
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
}


@dataclass(frozen=True)
class Permission:
    """What IAM checks for one call: an action on a resource."""

    action: str
    resource: str


@dataclass(frozen=True)
class Denial:
    function: str
    call: Mapping[str, Any]
    permission: Permission

    def __str__(self) -> str:
        return (
            f"{self.function}: {self.call['service']}.{self.call['operation']} needs "
            f"{self.permission.action} on {self.permission.resource}, which its policies do not allow"
        )


@dataclass(frozen=True)
class Account:
    region: str
    account_id: str


# ------------------------------------------------------------------ calls -> permissions
def required_permissions(call: Mapping[str, Any], account: Account) -> list[Permission]:
    """The IAM actions and resources `call` (as aws_call_recorder.py records it) needs."""
    service, operation = str(call["service"]), str(call["operation"])
    params: Mapping[str, Any] = call.get("params") or {}
    region = str(call.get("region") or account.region)
    presigned = operation.startswith("presigned:")
    operation = operation.removeprefix("presigned:")
    if service == "s3":
        return _s3(operation, params, presigned)
    if service == "dynamodb":
        return _dynamodb(operation, params, region, account.account_id)
    if service == "sqs":
        return _sqs(operation, params, region, account.account_id)
    if service == "events" and operation == "PutEvents":
        return [
            Permission("events:PutEvents", _event_bus_arn(name, region, account.account_id))
            for name in params.get("EventBusNames") or ["default"]
        ]
    if service == "ssm":
        names = params.get("Names") or [params.get("Name", "*")]
        return [
            Permission(
                f"ssm:{operation}",
                f"arn:aws:ssm:{region}:{account.account_id}:parameter/{str(name).lstrip('/')}",
            )
            for name in names
        ]
    if service == "cognito-idp" and "UserPoolId" in params:
        pool = f"arn:aws:cognito-idp:{region}:{account.account_id}:userpool/{params['UserPoolId']}"
        return [Permission(f"cognito-idp:{operation}", pool)]
    return [Permission(f"{service}:{operation}", "*")]


def _s3(operation: str, params: Mapping[str, Any], presigned: bool) -> list[Permission]:
    bucket = f"arn:aws:s3:::{params.get('Bucket', '*')}"
    if operation in _S3_BUCKET_ACTIONS:
        return [Permission(f"s3:{_S3_BUCKET_ACTIONS[operation]}", bucket)]
    if operation == "DeleteObjects":
        return [
            Permission(
                "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject",
                f"{bucket}/{item['Key']}",
            )
            for item in params.get("Objects") or []
        ]
    if "Key" not in params:
        return [Permission(f"s3:{operation}", bucket)]
    obj = f"{bucket}/{params['Key']}"
    versioned = bool(params.get("VersionId"))
    if operation in ("GetObject", "HeadObject"):
        return [Permission("s3:GetObjectVersion" if versioned else "s3:GetObject", obj)]
    if operation == "DeleteObject":
        return [Permission("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject", obj)]
    if operation in _S3_OBJECT_WRITES or operation == "PostObject":
        return [Permission("s3:PutObject", obj)]
    return [Permission(f"s3:{operation}", obj)]


def _table_arn(table: str, region: str, account_id: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account_id}:table/{table}"


def _dynamodb(
    operation: str, params: Mapping[str, Any], region: str, account_id: str
) -> list[Permission]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            Permission(
                f"dynamodb:{_TRANSACT_ACTIONS[kind]}",
                _table_arn(body["TableName"], region, account_id),
            )
            for item in params.get("TransactItems") or []
            for kind, body in item.items()
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [
            Permission(f"dynamodb:{operation}", _table_arn(table, region, account_id))
            for table in params.get("RequestTables") or []
        ]
    resource = _table_arn(str(params.get("TableName", "*")), region, account_id)
    if params.get("IndexName"):
        resource += f"/index/{params['IndexName']}"
    return [Permission(f"dynamodb:{operation}", resource)]


def _sqs(
    operation: str, params: Mapping[str, Any], region: str, account_id: str
) -> list[Permission]:
    action = f"sqs:{_SQS_BATCH.get(operation, operation)}"
    if "QueueUrl" in params:
        url = urlsplit(str(params["QueueUrl"]))
        owner, _, name = url.path.strip("/").rpartition("/")
        return [Permission(action, f"arn:aws:sqs:{region}:{owner or account_id}:{name}")]
    name = params.get("QueueName", "*")
    return [Permission(action, f"arn:aws:sqs:{region}:{account_id}:{name}")]


def _event_bus_arn(name: str, region: str, account_id: str) -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:aws:events:{region}:{account_id}:event-bus/{name}"


# ------------------------------------------------------------------ policies
def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern (`sqs:SendMessage*`) covers `action`."""
    return _matches(pattern, action, ignore_case=True)


def _covers(statement: Mapping[str, Any], key: str, value: str, *, ignore_case: bool) -> bool:
    """`key` (Action, Resource) lists a pattern that matches `value`; without `key`,
    `Not<key>` lists none that does."""
    if key in statement:
        patterns, wanted = statement[key], True
    else:
        patterns, wanted = statement.get(f"Not{key}", []), False
    found = any(_matches(str(p), value, ignore_case=ignore_case) for p in _as_list(patterns))
    return found is wanted


def _statement_matches(statement: Mapping[str, Any], permission: Permission) -> bool:
    return _covers(statement, "Action", permission.action, ignore_case=True) and _covers(
        statement, "Resource", permission.resource, ignore_case=False
    )


def allows(statements: Sequence[Mapping[str, Any]], permission: Permission) -> bool:
    """IAM's verdict for `permission` under identity policy `statements` (no conditions)."""
    matching = [s for s in statements if _statement_matches(s, permission)]
    if any(s.get("Effect") == "Deny" for s in matching):
        return False
    return any(s.get("Effect") == "Allow" for s in matching)


def _resolved(resolver: Resolver, statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement with its names resolved; one naming what the local stack lacks matches
    nothing (its resource says why), so only the calls that needed it are refused."""
    try:
        resolved: dict[str, Any] = resolver.resolve(dict(statement))
    except TemplateError as exc:
        return {**statement, "Resource": [f"(unresolved locally: {exc})"]}
    return resolved


def function_policies(
    template_path: Path, physical_ids: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Function logical id -> every statement its role has, after the SAM transform, resolved."""
    body = load_template(template_path).body
    translated = translate(body, region=str(physical_ids["region"]))
    resolver = Resolver(
        translated,
        stack_name=str(physical_ids["stack_name"]),
        region=str(physical_ids["region"]),
        account_id=str(physical_ids["account_id"]),
        parameter_overrides=dict(physical_ids.get("parameters") or {}),
    )
    for logical_id, created in (physical_ids.get("resources") or {}).items():
        attributes = created.get("attributes")
        resolver.set_physical(logical_id, created["ref"], {} if attributes is None else attributes)
    resources = translated["Resources"]
    policies: dict[str, list[dict[str, Any]]] = {}
    for logical_id, resource in (body.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        role = resources.get(f"{logical_id}Role", {}).get("Properties") or {}
        statements: list[dict[str, Any]] = []
        for policy in role.get("Policies") or []:
            for statement in _as_list(policy["PolicyDocument"].get("Statement", [])):
                statements.append(_resolved(resolver, statement))
        for arn in resolver.resolve(role.get("ManagedPolicyArns") or []):
            statements += MANAGED_POLICIES.get(str(arn).rsplit("/", 1)[-1], [])
        policies[logical_id] = statements
    return policies


def denials(
    calls: Mapping[str, Iterable[Mapping[str, Any]]],
    policies: Mapping[str, Sequence[Mapping[str, Any]]],
    account: Account,
) -> list[Denial]:
    """Each (function, call, permission) that the function's policies do not allow."""
    found: list[Denial] = []
    seen: set[tuple[str, Permission]] = set()
    for function, function_calls in calls.items():
        statements = policies.get(function, [])
        for call in function_calls:
            for permission in required_permissions(call, account):
                if (function, permission) in seen:
                    continue
                seen.add((function, permission))
                if not allows(statements, permission):
                    found.append(Denial(function, call, permission))
    return found


def needed(
    calls: Mapping[str, Iterable[Mapping[str, Any]]], account: Account
) -> dict[str, set[Permission]]:
    """Function -> the distinct permissions its recorded calls need."""
    return {
        function: {p for call in function_calls for p in required_permissions(call, account)}
        for function, function_calls in calls.items()
    }


def check(calls_dir: Path, template_path: Path) -> list[Denial]:
    physical_ids = json.loads((calls_dir / PHYSICAL_IDS_FILE).read_text())
    account = Account(str(physical_ids["region"]), str(physical_ids["account_id"]))
    return denials(read_calls(calls_dir), function_policies(template_path, physical_ids), account)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls_dir", type=Path)
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    arguments = parser.parse_args(argv)
    found = check(arguments.calls_dir, arguments.template)
    for denial in found:
        print(denial)
    calls = read_calls(arguments.calls_dir)
    print(
        f"{sum(len(c) for c in calls.values())} calls of {len(calls)} functions: {len(found)} denied"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
