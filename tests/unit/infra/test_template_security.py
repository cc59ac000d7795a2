"""Security settings of template.yaml that no emulator runs: the site's headers, tenant ABAC."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import pytest

from infra.build.publish_web import ROOT
from infra.local.cfn_yaml import load_template


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")["Resources"]


def site_headers(resources: dict[str, Any]) -> dict[str, Any]:
    behaviour = resources["SiteDistribution"]["Properties"]["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    policy_id = behaviour["ResponseHeadersPolicyId"]
    assert policy_id == {"Ref": "SiteResponseHeadersPolicy"}
    policy = resources["SiteResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    headers: dict[str, Any] = policy["SecurityHeadersConfig"]
    return headers


def test_the_site_forbids_framing_and_sends_hsts(resources):
    # When
    headers = site_headers(resources)

    # Then
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "frame-ancestors 'none'" in csp
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000
    assert hsts["IncludeSubdomains"] is True
    assert headers["ContentTypeOptions"]["Override"] is True


def test_the_sites_csp_allows_no_loopback_or_plain_http_source(resources):
    # When
    csp = site_headers(resources)["ContentSecurityPolicy"]["ContentSecurityPolicy"]

    # Then
    assert "127.0.0.1" not in csp
    assert "localhost" not in csp
    assert "http:" not in csp
    assert "connect-src 'self' https:" in csp


def allowed(statements: list[dict[str, Any]], tag: str, action: str, key: str) -> bool:
    """Just enough IAM for this policy: variable substitution, StringLike, explicit deny wins."""
    resource = f"bucket/{key}"

    def applies(statement: dict[str, Any]) -> bool:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if not any(fnmatchcase(action, pattern) for pattern in actions):
            return False
        raw = statement["Resource"]
        patterns = raw if isinstance(raw, list) else [raw]
        texts = [p["Fn::Sub"] if isinstance(p, dict) and "Fn::Sub" in p else p for p in patterns]
        matched = any(
            isinstance(text, str)
            and fnmatchcase(
                resource,
                text.replace("arn:${AWS::Partition}:s3:::${DataBucket}", "bucket").replace(
                    "${!aws:PrincipalTag/tenant}", tag
                ),
            )
            for text in texts
        ) or any(isinstance(text, dict) for text in texts)  # GetAtt DataBucket.Arn / bucket/*
        like = statement.get("Condition", {}).get("StringLike", {})
        tag_pattern = like.get("aws:PrincipalTag/tenant")
        if tag_pattern is not None and not fnmatchcase(tag, tag_pattern):
            return False
        return matched

    relevant = [s for s in statements if applies(s)]
    if any(s["Effect"] == "Deny" for s in relevant):
        return False
    return any(s["Effect"] == "Allow" for s in relevant)


@pytest.mark.parametrize(
    ("tag", "action", "key", "expected"),
    [
        ("acme", "s3:PutObject", "dropbox/acme/scores.csv", True),
        ("acme", "s3:GetObject", "outbox/acme/scores.xlsx", True),
        ("acme", "s3:PutObject", "dropbox/globex/scores.csv", False),
        # the finding: tag `acme/eu` reached into tenant acme's folders
        ("acme/eu", "s3:PutObject", "dropbox/acme/eu/scores.csv", False),
        ("acme/eu", "s3:GetObject", "outbox/acme/eu/scores.xlsx", False),
    ],
)
def test_a_tenant_tag_reaches_its_own_folders_only(resources, tag, action, key, expected):
    # Given the drop-folder tenant policy
    statements = resources["DropFolderTenantPolicy"]["Properties"]["PolicyDocument"]["Statement"]

    # When / Then
    assert allowed(statements, tag, action, key) is expected
