"""`make deploy`'s web step against moto: the page and its config.json land in the site bucket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.build.publish_web import ROOT, production_page, publish, stage_region

REGION = "eu-west-1"
OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/",
    "UserPoolId": "eu-west-1_pool",
    "UserPoolClientId": "webclient",
    "DataBucketName": "batchscore-data",
    "SiteBucketName": "batchscore-site",
    "SiteUrl": "https://d111.cloudfront.net",
}


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(
            Bucket=OUTPUTS["SiteBucketName"],
            CreateBucketConfiguration={"LocationConstraint": REGION},
        )
        yield s3, boto3.client("cloudfront", region_name="us-east-1")


def test_every_page_file_is_published_with_its_content_type(aws: Any) -> None:
    # Given the deployed stack's outputs and the site bucket
    s3, cloudfront = aws

    # When the web page is published
    written = publish(ROOT / "web", OUTPUTS, REGION, s3=s3, cloudfront=cloudfront)

    # Then every file of web/ is there, typed for the browser
    expected = {
        p.relative_to(ROOT / "web").as_posix() for p in (ROOT / "web").rglob("*") if p.is_file()
    }
    assert expected <= set(written)
    index = s3.get_object(Bucket=OUTPUTS["SiteBucketName"], Key="index.html")
    assert index["ContentType"] == "text/html"
    assert index["Body"].read().decode() == production_page(
        (ROOT / "web" / "index.html").read_text()
    )


@pytest.mark.parametrize("page", ["index.html", "api.html"])
def test_the_published_pages_csp_allows_no_loopback_sources(aws: Any, page: str) -> None:
    # Given the local page's CSP, which lets it reach http://127.0.0.1:* (the local stack)
    s3, cloudfront = aws
    assert "http://127.0.0.1:*" in (ROOT / "web" / page).read_text()

    # When the web page is published
    publish(ROOT / "web", OUTPUTS, REGION, s3=s3, cloudfront=cloudfront)

    # Then the production copy has a CSP, without loopback or any http: source
    html = s3.get_object(Bucket=OUTPUTS["SiteBucketName"], Key=page)["Body"].read().decode()
    assert "Content-Security-Policy" in html
    assert "127.0.0.1" not in html
    assert "localhost" not in html
    assert "http:" not in html.split("Content-Security-Policy", 1)[1].split(">", 1)[0]


def test_the_config_points_the_page_at_the_deployed_api_and_cognito(aws: Any) -> None:
    # Given the deployed stack's outputs
    s3, cloudfront = aws

    # When the web page is published
    publish(ROOT / "web", OUTPUTS, REGION, s3=s3, cloudfront=cloudfront)

    # Then config.json names the stack's API, user pool and bucket, and AWS's Cognito endpoint
    body = s3.get_object(Bucket=OUTPUTS["SiteBucketName"], Key="config.json")["Body"].read()
    assert json.loads(body) == {
        "apiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "region": REGION,
        "userPoolId": "eu-west-1_pool",
        "userPoolClientId": "webclient",
        "bucket": "batchscore-data",
        "cognitoEndpoint": "https://cognito-idp.eu-west-1.amazonaws.com/",
    }


def test_the_region_is_the_one_samconfig_deploys_the_stage_to(tmp_path: Path) -> None:
    # Given a samconfig.toml with a region per stage
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        'version = 0.1\n[prod.global.parameters]\nregion = "us-west-2"\n'
        '[default.global.parameters]\nregion = "eu-west-1"\n'
    )

    # When the stage's region is read
    # Then it is that stage's, and the default section's for a stage without its own
    assert stage_region("prod", samconfig) == "us-west-2"
    assert stage_region("staging", samconfig) == "eu-west-1"


def test_cloudfront_is_told_to_drop_its_cached_copies(aws: Any) -> None:
    # Given a deployed distribution in front of the site bucket
    s3, cloudfront = aws
    origin = f"{OUTPUTS['SiteBucketName']}.s3.amazonaws.com"
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "site",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": origin}]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "https-only",
            },
        }
    )["Distribution"]

    # When the web page is published
    publish(
        ROOT / "web",
        {**OUTPUTS, "SiteDistributionId": distribution["Id"]},
        REGION,
        s3=s3,
        cloudfront=cloudfront,
    )

    # Then one invalidation of every path was made
    (invalidation,) = cloudfront.list_invalidations(DistributionId=distribution["Id"])[
        "InvalidationList"
    ]["Items"]
    detail = cloudfront.get_invalidation(DistributionId=distribution["Id"], Id=invalidation["Id"])
    assert detail["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]
