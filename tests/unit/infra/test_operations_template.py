"""template.yaml as issue 13 left it: each defect's kind kept from coming back.

Resolved with the local runtime's resolver under each stage's samconfig.toml parameters, so a
condition or a parameter default is read the way CloudFormation would read it.
"""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from infra.local.cfn_yaml import load_template
from infra.local.globals_merge import apply_globals
from infra.local.intrinsics import Resolver
from tests.unit.infra.made_up_attributes import MadeUpAttributes

ROOT = Path(__file__).resolve().parents[3]
DOCUMENT = apply_globals(load_template(ROOT / "template.yaml"))
RESOURCES: dict[str, Any] = DOCUMENT["Resources"]
FUNCTIONS = sorted(n for n, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function")
GIB = 2**30


class Attributes(MadeUpAttributes):
    """Any !GetAtt of a resource answers `<logical id>.<attribute>`."""

    def __getitem__(self, attribute: str) -> str:
        return f"{self.logical_id.lower()}.{attribute.lower()}"


def stage_parameters(stage: str) -> dict[str, str]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    overrides = config[stage]["deploy"]["parameters"]["parameter_overrides"]
    return dict(item.split("=", 1) for item in shlex.split(overrides))


def resolver(stage: str) -> Resolver:
    found = Resolver(
        DOCUMENT,
        stack_name=f"batchscore-{stage}",
        region="eu-west-1",
        account_id="123456789012",
        parameter_overrides=stage_parameters(stage),
    )
    for name in RESOURCES:
        found.set_physical(name, name.lower(), Attributes(name))
    return found


def properties(name: str, stage: str = "prod") -> dict[str, Any]:
    resolved: dict[str, Any] = resolver(stage).resolve(RESOURCES[name]["Properties"])
    return resolved


def test_prod_cors_allows_only_the_stacks_own_site() -> None:
    # Given prod's parameters (no WebOrigin)
    bucket_origins = properties("DataBucket")["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"]
    api_origins = properties("HttpApi")["CorsConfiguration"]["AllowOrigins"]

    # Then the bucket and the API allow the CloudFront site alone
    site = "https://sitedistribution.domainname"
    assert bucket_origins == [site]
    assert api_origins == [site]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_logs_to_the_stacks_group_kept_retention_days(function: str) -> None:
    # Given the function's LoggingConfig
    group = RESOURCES[function]["Properties"]["LoggingConfig"]["LogGroup"]
    assert group == {"Ref": f"{function}LogGroup"}

    # Then that group is not named after the function (Lambda could have made it first) and
    # keeps its logs as long as the stage's RetentionDays
    log_group = properties(f"{function}LogGroup", "dev")
    assert not log_group["LogGroupName"].startswith("/aws/lambda/")
    assert int(log_group["RetentionInDays"]) == int(stage_parameters("dev")["RetentionDays"])


def test_every_sqs_trigger_is_capped() -> None:
    # Given every SQS event source of every function
    sources = [
        (function, event["Properties"])
        for function in FUNCTIONS
        for event in (RESOURCES[function]["Properties"].get("Events") or {}).values()
        if event["Type"] == "SQS"
    ]

    # Then the ingest and jobs triggers cap their concurrency by a parameter
    capped = {f for f, p in sources if "MaximumConcurrency" in (p.get("ScalingConfig") or {})}
    assert {"UploadFunction", "ProcessFunction"} <= capped
    scaling = properties("ProcessFunction", "dev")["Events"]["Jobs"]["Properties"]["ScalingConfig"]
    assert int(scaling["MaximumConcurrency"]) == 5


def test_scoring_reserves_concurrency_only_when_asked() -> None:
    assert "ReservedConcurrentExecutions" not in properties("ProcessFunction", "dev")
    overridden = resolver("dev")
    overridden.parameters["ProcessReservedConcurrency"] = 20
    resolved = overridden.resolve(RESOURCES["ProcessFunction"]["Properties"])
    assert resolved["ReservedConcurrentExecutions"] == 20


def test_a_million_row_file_fits() -> None:
    # A 1M-row CSV of the default schema is 218 MB, its workbook ~175 MB
    assert int(DOCUMENT["Parameters"]["MaxUploadBytes"]["Default"]) >= GIB
    process = properties("ProcessFunction")
    assert process["EphemeralStorage"]["Size"] >= 1024
    assert process["MemorySize"] >= 2048


def alarm_metrics(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm["Metrics"] if "MetricStat" in m}


def test_alarms_cover_failures_queue_age_dead_letters_and_throttles() -> None:
    alarms = {
        n: properties(n) for n, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"
    }

    # Then every alarm goes to the alarm topic
    assert all(a["AlarmActions"] == ["alarmtopic"] for a in alarms.values())
    # and these are watched
    watched = set().union(*(alarm_metrics(a) for a in alarms.values()))
    assert {"JobsFailed", "ApproximateAgeOfOldestMessage", "Throttles"} <= watched
    # a DLQ drained in seconds still alarms: arrivals count, not only depth
    assert "NumberOfMessagesReceived" in alarm_metrics(alarms["JobsDlqDepthAlarm"])
    assert "NumberOfMessagesReceived" in alarm_metrics(alarms["IngestDlqDepthAlarm"])


def test_the_dashboard_is_valid_json_with_every_widget() -> None:
    # Given the dashboard body, resolved
    body = json.loads(properties("OperationsDashboard")["DashboardBody"])

    # Then it shows what the issue lists
    titles = " | ".join(w["properties"]["title"] for w in body["widgets"]).lower()
    for wanted in (
        "final state",
        "rows scored",
        "p50",
        "queue age",
        "dead-letter",
        "throttles",
        "cold starts",
    ):
        assert wanted in titles
