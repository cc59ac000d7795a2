"""size_check: each function's code plus its layers against Lambda's 250 MB unzipped limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.build.size_check import (
    UNZIPPED_LIMIT_BYTES,
    BuildIncomplete,
    main,
    measure_build,
    tree_size,
)

MIB = 1024 * 1024

# What `sam build` writes: code and layer paths relative to the build directory.
BUILT_TEMPLATE = """\
Resources:
  CoreLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: CoreLayer
  ModelLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: ModelLayer
  ProcessFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ProcessFunction
      Handler: process_handler.lambda_handler
      Layers:
        - Ref: CoreLayer
        - !Ref ModelLayer
  JobsDlqFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: JobsDlqFunction
      Handler: dlq_handler.lambda_handler
      Layers:
        - !Ref CoreLayer
"""


def sparse_file(path: Path, size_bytes: int) -> None:
    """A file of `size_bytes` apparent size that takes no disk blocks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        stream.truncate(size_bytes)


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    """A build tree with a 10 MiB core layer, a 1 KiB function and a 1 KiB DLQ function."""
    (tmp_path / "template.yaml").write_text(BUILT_TEMPLATE, encoding="utf-8")
    sparse_file(tmp_path / "CoreLayer" / "python" / "core.bin", 10 * MIB)
    sparse_file(tmp_path / "ProcessFunction" / "process_handler.py", 1024)
    sparse_file(tmp_path / "JobsDlqFunction" / "dlq_handler.py", 1024)
    return tmp_path


def test_tree_size_counts_apparent_bytes_of_every_file(tmp_path: Path) -> None:
    # Given
    sparse_file(tmp_path / "a" / "one.so", 3 * MIB)
    sparse_file(tmp_path / "a" / "b" / "two.py", 100)

    # When
    size = tree_size(tmp_path)

    # Then
    assert size == 3 * MIB + 100


def test_a_function_is_measured_with_the_layers_it_references(build_dir: Path) -> None:
    # Given
    sparse_file(build_dir / "ModelLayer" / "python" / "model.bin", 200 * MIB)

    # When
    sizes = {size.name: size for size in measure_build(build_dir)}

    # Then
    assert sizes["ProcessFunction"].layer_bytes == {"CoreLayer": 10 * MIB, "ModelLayer": 200 * MIB}
    assert sizes["ProcessFunction"].total_bytes == 210 * MIB + 1024
    assert sizes["JobsDlqFunction"].total_bytes == 10 * MIB + 1024


def test_the_limit_is_compared_with_a_fake_size_function(build_dir: Path) -> None:
    # Given: sizes from a lookup instead of the disk
    sparse_file(build_dir / "ModelLayer" / "python" / "model.bin", 1)
    fake_sizes = {"CoreLayer": 10 * MIB, "ModelLayer": 241 * MIB}

    # When
    sizes = measure_build(build_dir, measure=lambda path: fake_sizes.get(path.name, 0))

    # Then
    assert [(size.name, size.over_limit) for size in sizes] == [
        ("JobsDlqFunction", False),
        ("ProcessFunction", True),
    ]


def test_exactly_the_limit_is_still_allowed(build_dir: Path) -> None:
    # Given
    sparse_file(build_dir / "ModelLayer" / "python" / "model.bin", 1)
    fake_sizes = {"CoreLayer": UNZIPPED_LIMIT_BYTES - 1, "ProcessFunction": 1}

    # When
    sizes = measure_build(build_dir, measure=lambda path: fake_sizes.get(path.name, 0))

    # Then
    assert [size.over_limit for size in sizes] == [False, False]


def test_the_command_passes_under_the_limit(
    build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    sparse_file(build_dir / "ModelLayer" / "python" / "model.bin", 200 * MIB)

    # When
    status = main([str(build_dir)])

    # Then
    output = capsys.readouterr().out
    assert status == 0
    assert "ProcessFunction    total   210.0 MiB  ok" in output


def test_the_command_fails_over_the_limit_and_names_the_function(
    build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: 10 MiB core + 245 MiB model = 255 MiB, over 250 MiB
    sparse_file(build_dir / "ModelLayer" / "python" / "model.bin", 245 * MIB)

    # When
    status = main([str(build_dir)])

    # Then
    captured = capsys.readouterr()
    assert status == 1
    assert "ProcessFunction    total   255.0 MiB  OVER" in captured.out
    assert captured.err == "size_check: over Lambda's unzipped limit: ProcessFunction\n"


def test_a_missing_layer_directory_is_a_broken_build(build_dir: Path) -> None:
    # Given: ModelLayer was never built

    # When
    with pytest.raises(BuildIncomplete) as raised:
        measure_build(build_dir)

    # Then
    assert str(build_dir / "ModelLayer") in str(raised.value)


def test_the_command_asks_for_a_build_when_there_is_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    empty = tmp_path / "nothing-built"

    # When
    status = main([str(empty)])

    # Then
    assert status == 2
    assert "run `make build` first" in capsys.readouterr().err
