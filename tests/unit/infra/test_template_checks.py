"""batchscore's own template rules: clean on template.yaml, and each catches a broken copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.build.template_checks import check_handlers, check_template
from infra.build.template_source import TemplateUnreadable, load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    """template.yaml with its one occurrence of `old` replaced by `new`."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"template.yaml no longer contains {old!r} exactly once"
    path = tmp_path / "template.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


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


def test_a_visibility_timeout_under_six_function_timeouts_is_reported_at_its_line(
    tmp_path: Path,
) -> None:
    # Given: IngestQueue at 300 s while UploadFunction may run 60 s (6 x 60 = 360)
    path = broken_copy(tmp_path, "VisibilityTimeout: 360", "VisibilityTimeout: 300")

    # When
    found = findings(path, "sqs-consumer")

    # Then
    assert found == [("IngestQueue", line_of(path, "VisibilityTimeout: 300"))]


def test_an_sqs_source_without_partial_batch_reports_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path,
        "            BatchSize: 1\n            FunctionResponseTypes: [ReportBatchItemFailures]\n",
        "            BatchSize: 1\n",
    )

    # When
    found = subjects(path, "sqs-consumer")

    # Then
    assert found == ["ProcessFunction.Jobs"]


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


def test_a_notification_without_a_prefix_is_reported(tmp_path: Path) -> None:
    # Given
    rules = "                  - Name: suffix\n                    Value: input.csv\n"
    path = broken_copy(
        tmp_path,
        "                  - Name: prefix\n                    Value: uploads/\n" + rules,
        rules,
    )

    # When
    found = subjects(path, "notifications")

    # Then
    assert found == ["DataBucket"]


def test_a_max_receive_count_other_than_three_is_reported_at_its_line(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path,
        "deadLetterTargetArn: !GetAtt JobsDLQ.Arn\n        maxReceiveCount: 3",
        "deadLetterTargetArn: !GetAtt JobsDLQ.Arn\n        maxReceiveCount: 10",
    )

    # When
    found = findings(path, "dead-letter")

    # Then
    assert found == [("JobsQueue", line_of(path, "maxReceiveCount: 10"))]


def test_a_queue_without_a_dead_letter_queue_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path,
        "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt WebhookDLQ.Arn\n"
        "        maxReceiveCount: 3\n",
        "",
    )

    # When
    found = subjects(path, "dead-letter")

    # Then: WebhookDLQ is no longer anyone's DLQ, so it needs one of its own too
    assert found == ["WebhookQueue", "WebhookDLQ"]


def test_an_unencrypted_queue_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path,
        "      VisibilityTimeout: 5400 # ProcessFunction: 900 s\n"
        "      MessageRetentionPeriod: 345600\n      SqsManagedSseEnabled: true\n",
        "      VisibilityTimeout: 5400\n      MessageRetentionPeriod: 345600\n",
    )

    # When
    found = subjects(path, "dead-letter")

    # Then
    assert found == ["JobsQueue"]


def test_a_missing_environment_variable_is_reported_for_every_function(tmp_path: Path) -> None:
    # Given
    path = broken_copy(tmp_path, "        JOBS_QUEUE_URL: !Ref JobsQueue\n", "")

    # When
    found = subjects(path, "environment")

    # Then
    assert sorted(found) == sorted(load_template(path).resources("AWS::Serverless::Function"))


def test_another_metrics_namespace_is_reported_for_every_function(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path, "POWERTOOLS_METRICS_NAMESPACE: batchscore", "POWERTOOLS_METRICS_NAMESPACE: other"
    )

    # When
    found = subjects(path, "environment")

    # Then
    assert sorted(found) == sorted(load_template(path).resources("AWS::Serverless::Function"))


def test_a_missing_output_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path, '  SiteUrl:\n    Value: !Sub "https://${SiteDistribution.DomainName}"\n', ""
    )

    # When
    found = subjects(path, "outputs")

    # Then
    assert found == ["SiteUrl"]


def test_a_public_route_behind_the_authorizer_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path,
        "            Path: /health\n            Auth:\n              Authorizer: NONE\n",
        "            Path: /health\n",
    )

    # When
    found = subjects(path, "routes")

    # Then
    assert found == ["GET /health"]


def test_a_private_route_without_the_authorizer_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(
        tmp_path,
        "            Path: /model\n",
        "            Path: /model\n            Auth:\n              Authorizer: NONE\n",
    )

    # When
    found = subjects(path, "routes")

    # Then
    assert found == ["GET /model"]


def test_a_missing_route_is_reported(tmp_path: Path) -> None:
    # Given
    path = broken_copy(tmp_path, "            Path: /model\n", "            Path: /models\n")

    # When
    found = subjects(path, "routes")

    # Then
    assert found == ["GET /model"]


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
