"""`python -m infra.build.lint_template`: cfn-lint, plain and SAM-transformed, plus our rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.build.cfn_lint import lint_template_file, lint_transformed
from infra.build.lint_template import main
from infra.build.sam_translate import translate
from infra.build.template_source import load_template
from tests.unit.infra.template_copies import ROOT, TEMPLATE, broken_copy


def test_the_translation_turns_serverless_resources_into_cloudformation() -> None:
    # Given
    template = load_template(TEMPLATE)

    # When
    transformed = translate(template.body)

    # Then
    resources = transformed["Resources"]
    assert resources["ProcessFunction"]["Type"] == "AWS::Lambda::Function"
    assert resources["ProcessFunction"]["Properties"]["Code"]["S3Bucket"]
    assert not [name for name, r in resources.items() if r["Type"].startswith("AWS::Serverless::")]


@pytest.mark.slow
def test_the_transformed_lint_catches_what_the_plain_lint_cannot_see(tmp_path: Path) -> None:
    # Given: a Lambda timeout over the 900 s maximum, inside an AWS::Serverless::Function
    path = broken_copy(tmp_path, "Timeout: 900\n", "Timeout: 1000\n")
    template = load_template(path)

    # When
    plain = lint_template_file(path)
    transformed = lint_transformed(translate(template.body), tmp_path / "t.json", template)

    # Then: reported at the function's Timeout line in the source template
    assert plain == []
    timeout_line = path.read_text(encoding="utf-8").splitlines().index("      Timeout: 1000") + 1
    assert [(p.file, p.line, p.subject) for p in transformed] == [
        (str(path), timeout_line, "ProcessFunction")
    ]


@pytest.mark.slow
def test_the_command_is_clean_on_our_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    arguments = [str(TEMPLATE), "--no-sam-validate", "--transformed", str(tmp_path / "t.json")]

    # When
    status = main(arguments)

    # Then
    assert (status, capsys.readouterr().out) == (0, f"{TEMPLATE}: clean\n")


@pytest.mark.slow
def test_the_command_fails_and_says_where_on_a_broken_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    path = broken_copy(
        tmp_path, "VisibilityTimeout: 360 # UploadFunction: 60 s", "VisibilityTimeout: 60"
    )
    arguments = [str(path), "--no-sam-validate", "--root", str(ROOT)]
    arguments += ["--transformed", str(tmp_path / "t.json")]

    # When
    status = main(arguments)

    # Then
    line = path.read_text(encoding="utf-8").splitlines().index("      VisibilityTimeout: 60") + 1
    output = capsys.readouterr().out.splitlines()
    assert status == 1
    assert output[0].startswith(f"{path}:{line}:7: [sqs-consumer] IngestQueue")
    assert output[-1] == f"{path}: 1 problem(s)"
