"""`make deploy` step 2: the web page to the stack's site bucket, with its config.json.

The page's settings come from the deployed stack's Outputs (the same `web_config` the local
runtime serves), then CloudFront is told to drop its cached copies.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import time
import tomllib
from pathlib import Path
from typing import Any

import boto3

from infra.local.outputs import web_config

ROOT = Path(__file__).resolve().parents[2]
# The page's own files change with each deploy; the browser must always ask for them again.
CACHE_CONTROL = "no-cache"
# In web/*.html's CSP for the local stack only; CloudFront's header policy forbids them as well.
LOOPBACK_SOURCES = " http://127.0.0.1:* http://localhost:*"


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}


def site_config(outputs: dict[str, str], region: str) -> dict[str, Any]:
    return web_config(
        outputs,
        api_url=outputs["ApiUrl"].rstrip("/"),
        region=region,
        cognito_endpoint=f"https://cognito-idp.{region}.amazonaws.com/",
    )


def production_page(text: str) -> str:
    """The page's CSP without the loopback sources the local page needs (http://127.0.0.1:*)."""
    return text.replace(LOOPBACK_SOURCES, "")


def publish(
    web_dir: Path, outputs: dict[str, str], region: str, *, s3: Any, cloudfront: Any
) -> list[str]:
    """Upload every file of `web_dir` and config.json; answers the keys written."""
    bucket = outputs["SiteBucketName"]
    written = []
    for path in sorted(p for p in web_dir.rglob("*") if p.is_file()):
        key = path.relative_to(web_dir).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body = path.read_bytes()
        if path.suffix == ".html":
            body = production_page(body.decode()).encode()
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )
        written.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(site_config(outputs, region), indent=2).encode(),
        ContentType="application/json",
        CacheControl=CACHE_CONTROL,
    )
    written.append("config.json")
    if outputs.get("SiteDistributionId"):
        cloudfront.create_invalidation(
            DistributionId=outputs["SiteDistributionId"],
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": f"batchscore-{time.time_ns()}",
            },
        )
    return written


def stage_region(stage: str, samconfig: Path = ROOT / "samconfig.toml") -> str:
    """The region `sam deploy --config-env <stage>` deployed to: samconfig.toml is the one source."""
    config = tomllib.loads(samconfig.read_text())
    section = config.get(stage, config.get("default", {}))
    return str(section["global"]["parameters"]["region"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stage", default="dev", help="samconfig.toml environment (dev, prod)")
    parser.add_argument("--web-dir", type=Path, default=ROOT / "web")
    args = parser.parse_args(argv)
    region = stage_region(args.stage)
    stack_name = f"batchscore-{args.stage}"
    outputs = stack_outputs(boto3.client("cloudformation", region_name=region), stack_name)
    written = publish(
        args.web_dir,
        outputs,
        region,
        s3=boto3.client("s3", region_name=region),
        cloudfront=boto3.client("cloudfront"),
    )
    print(f"published {len(written)} files to s3://{outputs['SiteBucketName']}/")
    print(f"the page: {outputs['SiteUrl']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
