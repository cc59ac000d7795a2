from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from batchscore_model.cli import main


def test_schema_prints_the_get_model_json(bundle_dir: Path, capsys) -> None:
    # Given / When
    code = main(["--bundle", str(bundle_dir), "schema"])
    # Then
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [column["name"] for column in printed["columns"]] == ["a", "b"]


def test_score_writes_the_workbook_and_prints_one_line(
    bundle_dir: Path, tmp_path: Path, capsys
) -> None:
    # Given
    source, target = tmp_path / "in.csv", tmp_path / "out.xlsx"
    source.write_text("a,b\n1,2\n")
    # When
    code = main(["--bundle", str(bundle_dir), "score", str(source), str(target)])
    # Then
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert len(lines) == 1
    assert "rows_scored=1" in lines[0]
    assert openpyxl.load_workbook(target).sheetnames == ["predictions", "summary", "columns"]


def test_score_reports_a_rejection_with_its_line(bundle_dir: Path, tmp_path: Path, capsys) -> None:
    # Given
    source, target = tmp_path / "in.csv", tmp_path / "out.xlsx"
    source.write_text("a,b\n1,zz\n")
    # When
    code = main(["--bundle", str(bundle_dir), "score", str(source), str(target)])
    # Then
    assert code == 1
    assert f"{source}:2: b:" in capsys.readouterr().err
