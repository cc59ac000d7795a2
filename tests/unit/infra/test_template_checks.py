"""batchscore's own template rules: clean on template.yaml, and each catches a broken copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.build.template_checks import check_handlers, check_template
from infra.build.template_source import TemplateUnreadable, load_template
from tests.unit.infra.template_copies import TEMPLATE, broken_copy


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


def findings(path: Path, check: str) -> list[tuple[str, int]]:
    """(subject, line) of each problem that `check` reports in `path`."""
    return [
        (problem.subject, problem.line)
        for problem in check_template(load_template(path))
        if problem.check == check
    ]


def subjects(path: Path, check: str) -> list[str]:
    return [subject for subject, _ in findings(path, check)]


def test_our_template_passes_every_check() -> None:
    # Given
    template = load_template(TEMPLATE)

    # When
    problems = check_template(template)

    # Then
    assert problems == []


@pytest.mark.parametrize(
    ("old", "new", "check", "subject", "at"),
    [
        pytest.param(
            # IngestQueue at 300 s while UploadFunction may run 60 s (6 x 60 = 360)
            "VisibilityTimeout: 360",
            "VisibilityTimeout: 300",
            "sqs-consumer",
            "IngestQueue",
            "VisibilityTimeout: 300",
            id="visibility-timeout-under-six-function-timeouts",
        ),
        pytest.param(
            "deadLetterTargetArn: !GetAtt JobsDLQ.Arn\n        maxReceiveCount: 3",
            "deadLetterTargetArn: !GetAtt JobsDLQ.Arn\n        maxReceiveCount: 10",
            "dead-letter",
            "JobsQueue",
            "maxReceiveCount: 10",
            id="max-receive-count-other-than-three",
        ),
    ],
)
def test_a_wrong_value_is_reported_at_its_line(
    tmp_path: Path, old: str, new: str, check: str, subject: str, at: str
) -> None:
    # Given
    path = broken_copy(tmp_path, old, new)

    # When
    found = findings(path, check)

    # Then
    assert found == [(subject, line_of(path, at))]


def test_a_notification_on_results_is_reported_at_its_configuration(tmp_path: Path) -> None:
    # Given: the drop-folder notification moved to results/, where outputs would loop back
    csv_drops = (
        "Value: dropbox/\n                  - Name: suffix\n                    Value: .csv\n"
    )
    path = broken_copy(tmp_path, csv_drops, csv_drops.replace("dropbox/", "results/"))

    # When
    found = findings(path, "notifications")

    # Then
    configuration_line = line_of(path, "Value: results/") - 6
    assert found == [("DataBucket", configuration_line)]


NOTIFICATION_RULES = "                  - Name: suffix\n                    Value: input.csv\n"


@pytest.mark.parametrize(
    ("old", "new", "check", "expected"),
    [
        pytest.param(
            "            BatchSize: 1\n            FunctionResponseTypes: [ReportBatchItemFailures]\n",
            "            BatchSize: 1\n",
            "sqs-consumer",
            ["ProcessFunction.Jobs"],
            id="sqs-source-without-partial-batch-reports",
        ),
        pytest.param(
            "                  - Name: prefix\n                    Value: uploads/\n"
            + NOTIFICATION_RULES,
            NOTIFICATION_RULES,
            "notifications",
            ["DataBucket"],
            id="notification-without-a-prefix",
        ),
        pytest.param(
            "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt WebhookDLQ.Arn\n"
            "        maxReceiveCount: 3\n",
            "",
            "dead-letter",
            # WebhookDLQ is no longer anyone's DLQ, so it needs one of its own too
            ["WebhookQueue", "WebhookDLQ"],
            id="queue-without-a-dead-letter-queue",
        ),
        pytest.param(
            "      VisibilityTimeout: 5400 # ProcessFunction: 900 s\n"
            "      MessageRetentionPeriod: 345600\n      SqsManagedSseEnabled: true\n",
            "      VisibilityTimeout: 5400\n      MessageRetentionPeriod: 345600\n",
            "dead-letter",
            ["JobsQueue"],
            id="unencrypted-queue",
        ),
        pytest.param(
            '  SiteUrl:\n    Value: !Sub "https://${SiteDistribution.DomainName}"\n',
            "",
            "outputs",
            ["SiteUrl"],
            id="missing-output",
        ),
        pytest.param(
            "            Path: /health\n            Auth:\n              Authorizer: NONE\n",
            "            Path: /health\n",
            "routes",
            ["GET /health"],
            id="public-route-behind-the-authorizer",
        ),
        pytest.param(
            "            Path: /model\n",
            "            Path: /model\n            Auth:\n              Authorizer: NONE\n",
            "routes",
            ["GET /model"],
            id="private-route-without-the-authorizer",
        ),
        pytest.param(
            "            Path: /model\n",
            "            Path: /models\n",
            "routes",
            ["GET /model"],
            id="missing-route",
        ),
    ],
)
def test_a_broken_rule_is_reported(
    tmp_path: Path, old: str, new: str, check: str, expected: list[str]
) -> None:
    # Given
    path = broken_copy(tmp_path, old, new)

    # When
    found = subjects(path, check)

    # Then
    assert found == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(
            "        JOBS_QUEUE_URL: !Ref JobsQueue\n", "", id="missing-environment-variable"
        ),
        pytest.param(
            "POWERTOOLS_METRICS_NAMESPACE: batchscore",
            "POWERTOOLS_METRICS_NAMESPACE: other",
            id="another-metrics-namespace",
        ),
    ],
)
def test_a_wrong_environment_is_reported_for_every_function(
    tmp_path: Path, old: str, new: str
) -> None:
    # Given
    path = broken_copy(tmp_path, old, new)

    # When
    found = subjects(path, "environment")

    # Then
    assert sorted(found) == sorted(load_template(path).resources("AWS::Serverless::Function"))


def test_a_handler_whose_module_is_missing_is_reported(tmp_path: Path) -> None:
    # Given: a code tree with every handler module but functions/status/status_handler.py
    template = load_template(TEMPLATE)
    (tmp_path / "functions" / "status").mkdir(parents=True)
    (tmp_path / "functions" / "upload").mkdir()
    (tmp_path / "functions" / "upload" / "upload_handler.py").touch()
    for folder in ("process", "dlq", "predict", "webhook", "registry", "publish", "train"):
        (tmp_path / "functions" / folder).mkdir()
        (tmp_path / "functions" / folder / f"{folder}_handler.py").touch()
    (tmp_path / "functions" / "train" / "train_data_handler.py").touch()

    # When
    problems = check_handlers(template, tmp_path)

    # Then
    assert [(problem.check, problem.subject) for problem in problems] == [
        ("handlers", "StatusFunction")
    ]


def test_an_unparsable_template_says_where(tmp_path: Path) -> None:
    # Given
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Queue: [unclosed\n", encoding="utf-8")

    # When
    with pytest.raises(TemplateUnreadable) as raised:
        load_template(path)

    # Then
    problem = raised.value.problems[0]
    assert (problem.file, problem.check) == (str(path), "parse")
    assert problem.line > 1
