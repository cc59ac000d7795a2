"""The `batchscore` command end to end against the local stack (`make run`'s runtime)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sklearn.datasets import load_breast_cancer

from tests.e2e.cli_support import Cli, logged_in_cli

pytestmark = pytest.mark.e2e

ROWS = 25


@pytest.fixture(scope="module")
def cli(local_stack, tmp_path_factory) -> Cli:
    return logged_in_cli(local_stack, tmp_path_factory.mktemp("batchscore-config"))


@pytest.fixture(scope="module")
def input_csv(tmp_path_factory) -> Path:
    """Rows of the default model's schema: the breast-cancer features without `target`."""
    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"]).head(ROWS)
    path = tmp_path_factory.mktemp("input") / "tumours.csv"
    frame.to_csv(path, index=False)
    return path


@dataclass(frozen=True)
class Submitted:
    job: dict[str, Any]
    workbook: Path
    stderr: str


@pytest.fixture(scope="module")
def submitted(cli, input_csv, tmp_path_factory) -> Submitted:
    out = tmp_path_factory.mktemp("output") / "out.xlsx"
    done = cli("submit", str(input_csv), "--wait", "-o", str(out), "--json", "--poll", "0.5")
    assert done.returncode == 0, done.stderr
    return Submitted(job=json.loads(done.stdout), workbook=out, stderr=done.stderr)


def read_sheet(path: Path) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_submit_wait_writes_a_workbook_with_every_row_and_a_prediction(submitted, input_csv):
    # Given the job submitted and waited for with -o out.xlsx

    # When
    rows = read_sheet(submitted.workbook)

    # Then
    header, body = rows[0], rows[1:]
    expected_columns = input_csv.read_text().splitlines()[0].split(",")
    assert list(header[: len(expected_columns)]) == expected_columns
    assert "prediction" in header
    assert len(body) == ROWS
    column = header.index("prediction")
    assert all(row[column] is not None for row in body)


def test_submit_wait_reports_the_job_succeeded_with_all_rows(submitted):
    # Given / When the job submitted and waited for

    # Then
    assert submitted.job["status"] == "SUCCEEDED"
    assert submitted.job["rows_done"] == ROWS
    assert f"{ROWS}/{ROWS} rows" in submitted.stderr


def test_status_shows_the_finished_job(cli, submitted):
    # Given
    job_id = submitted.job["job_id"]

    # When
    job = cli.json("status", job_id)

    # Then
    assert (job["job_id"], job["status"], job["rows_total"]) == (job_id, "SUCCEEDED", ROWS)


def test_list_includes_the_job(cli, submitted):
    # Given
    job_id = submitted.job["job_id"]

    # When
    page = cli.json("list", "--status", "SUCCEEDED", "--limit", "100")

    # Then
    assert job_id in [item["job_id"] for item in page["items"]]


def test_download_fetches_the_same_workbook(cli, submitted, tmp_path):
    # Given
    again = tmp_path / "again.xlsx"

    # When
    answer = cli.json("download", submitted.job["job_id"], "-o", str(again))

    # Then
    assert answer["output"] == str(again)
    assert read_sheet(again) == read_sheet(submitted.workbook)


def test_an_unknown_job_exits_4_with_one_line(cli):
    # Given
    missing = "0" * 32

    # When
    done = cli("status", missing)

    # Then
    assert done.returncode == 4
    assert len(done.stderr.splitlines()) == 1
