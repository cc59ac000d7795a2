"""AWS::S3::Bucket in the emulator: CORS, notifications to SQS/EventBridge, versioning."""

from __future__ import annotations

import logging
from typing import Any

from infra.local.provision.context import Created, ProvisionContext

log = logging.getLogger("infra.local")

_CORS_RENAMES = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}
_HANDLED = {
    "BucketName",
    "CorsConfiguration",
    "NotificationConfiguration",
    "VersioningConfiguration",
    "PublicAccessBlockConfiguration",
    "Tags",
}


def cors_rules(cors: dict[str, Any]) -> list[dict[str, Any]]:
    """CloudFormation's CorsRules in the S3 API's spelling."""
    rules = []
    for rule in cors.get("CorsRules") or []:
        renamed = {_CORS_RENAMES.get(key, key): value for key, value in rule.items()}
        if "MaxAgeSeconds" in renamed:
            renamed["MaxAgeSeconds"] = int(renamed["MaxAgeSeconds"])
        rules.append(renamed)
    return rules


def _filter(config: dict[str, Any]) -> dict[str, Any]:
    rules = ((config.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    if not rules:
        return {}
    return {"Filter": {"Key": {"FilterRules": [dict(rule) for rule in rules]}}}


def notification_configuration(logical_id: str, notification: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration in the S3 API's spelling."""
    api: dict[str, Any] = {}
    for cfn_key, api_key, target, target_arn in (
        ("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"),
        ("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"),
    ):
        configs = notification.get(cfn_key) or []
        if configs:
            api[api_key] = [
                {target_arn: config[target], "Events": [config["Event"]], **_filter(config)}
                for config in configs
            ]
    if notification.get("LambdaConfigurations"):
        log.warning(
            "skip %s LambdaConfigurations: the emulator cannot invoke Lambda from S3 "
            "(notify an SQS queue instead)",
            logical_id,
        )
    eventbridge = notification.get("EventBridgeConfiguration") or {}
    if str(eventbridge.get("EventBridgeEnabled", "")).lower() == "true":
        api["EventBridgeConfiguration"] = {}
    return api


def create_bucket(logical_id: str, props: dict[str, Any], ctx: ProvisionContext) -> Created:
    name = ctx.physical_name(logical_id, props.get("BucketName")).lower()
    s3 = ctx.client("s3")
    if ctx.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": ctx.region})
    if props.get("CorsConfiguration"):
        s3.put_bucket_cors(
            Bucket=name,
            CORSConfiguration={"CORSRules": cors_rules(props["CorsConfiguration"])},
        )
    if props.get("NotificationConfiguration"):
        s3.put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration=notification_configuration(
                logical_id, props["NotificationConfiguration"]
            ),
        )
    versioning = (props.get("VersioningConfiguration") or {}).get("Status")
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    if props.get("PublicAccessBlockConfiguration"):
        block = {
            key: str(value).lower() == "true"
            for key, value in props["PublicAccessBlockConfiguration"].items()
        }
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
    if props.get("Tags"):
        tags = [{"Key": tag["Key"], "Value": str(tag["Value"])} for tag in props["Tags"]]
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
    for key in sorted(set(props) - _HANDLED):
        log.info("ignore %s.%s: not applied by the local runtime", logical_id, key)
    domain = f"{name}.s3.amazonaws.com"
    return Created(
        ref=name,
        attributes={
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": domain,
            "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
            "WebsiteURL": f"http://{name}.s3-website-{ctx.region}.amazonaws.com",
        },
    )
