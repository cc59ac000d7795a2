"""The `batchscore` command end to end against the local stack (`make run`'s runtime)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from tests.e2e.cli_support import Cli, logged_in_cli

pytestmark = pytest.mark.e2e

ROWS = 25
SLOW_ROWS = 8_000


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


def test_a_job_the_cli_submits_has_source_api(submitted):
    # Given / When the job submitted by the CLI (a person's token, no browser)

    # Then it is recorded as coming through the API, not the web page
    assert submitted.job["source"] == "api"


def test_waiting_on_a_slow_job_shows_the_bar_moving_with_pace_and_time_left(slow_stack, tmp_path):
    # Given a job of thousands of rows on a stack that scores 50 rows a batch
    cli = logged_in_cli(slow_stack, tmp_path / "config")
    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"])
    path = tmp_path / "slow.csv"
    pd.concat([frame] * 15).head(SLOW_ROWS).to_csv(path, index=False)

    # When the CLI submits it and waits
    done = cli("submit", str(path), "--wait", "--poll", "0.5")

    # Then stderr shows rows partly done, with the elapsed time, rows per second and an ETA
    assert done.returncode == 0, done.stderr
    partial = [
        line
        for line in done.stderr.splitlines()
        if (match := re.search(r"([\d,]+)/([\d,]+) rows", line))
        and 0 < int(match[1].replace(",", "")) < int(match[2].replace(",", ""))
    ]
    assert partial, done.stderr
    assert any(re.search(r"elapsed [\d.]+ s  [\d,]+ rows/s  ETA ", line) for line in partial), (
        done.stderr
    )


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
