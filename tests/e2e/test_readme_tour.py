"""The README's tour, run as written: each fenced shell block in a new bash, against a local stack
on free ports (set through the variables the README tells people to set)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

from tests.local_stack import LocalStack

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TOUR_HEADING = "## A short tour"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
BLOCK_TIMEOUT_SECONDS = 240


def tour_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(TOUR_HEADING)
    end = text.find("\n## ", start + len(TOUR_HEADING))
    return BLOCK.findall(text[start : end if end >= 0 else None])


def port(url: str) -> str:
    return str(urlparse(url).port)


@pytest.fixture(scope="module")
def tour_env(local_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A new shell's environment, pointed at the test's stack as the README says to."""
    home = tmp_path_factory.mktemp("tour-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BATCHSCORE_"))}
    env.update(
        {
            "HOME": str(home),  # no ~/.aws, no ~/.config/batchscore of the developer's
            "TMPDIR": str(home),
            "BATCHSCORE_EMULATOR_PORT": port(local_stack.emulator_url),
            "BATCHSCORE_API_PORT": port(local_stack.api_url),
            "BATCHSCORE_WEB_PORT": port(local_stack.web_url),
            "BATCHSCORE_LOCAL_DIR": str(local_stack.state_dir),
        }
    )
    return env


def run_block(block: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_SECONDS,
        check=False,
    )


@pytest.fixture(scope="module")
def tour(tour_env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Every block, in README order (the sample first, as a reader would)."""
    return [run_block(block, tour_env) for block in tour_blocks()]


def test_the_tour_says_how_to_move_the_ports():
    # Given the README
    text = (REPO / "README.md").read_text(encoding="utf-8")
    tour = text[text.index(TOUR_HEADING) :]

    # When / Then it names every port variable the commands follow
    for name in ("BATCHSCORE_EMULATOR_PORT", "BATCHSCORE_API_PORT", "BATCHSCORE_WEB_PORT"):
        assert name in tour.split("```")[0], name


def test_every_tour_block_runs_in_a_new_shell(tour):
    # Given / When each block ran in its own new shell
    failed = [
        f"block {i} exited {done.returncode}:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
        for i, done in enumerate(tour)
        if done.returncode != 0
    ]

    # Then every one succeeded: sample, curl, CLI, drop folder
    assert len(tour) == 4
    assert failed == []


def test_the_curl_block_reports_the_upload_the_job_and_the_download(tour):
    # Given the curl block's output
    curl = next(done for done in tour if "initiate-auth" in done.args[-1])

    # When / Then it says the upload was accepted, follows the job to SUCCEEDED, shows the file
    lines = curl.stdout.splitlines()
    assert "upload: HTTP 204" in lines
    assert any(re.fullmatch(r"SUCCEEDED 1000/1000 rows", line) for line in lines), lines
    workbook = Path(lines[-1].split()[-1])
    assert workbook.name == "sample.xlsx"
    assert not (REPO / "job.json").exists()


def test_the_curl_download_is_a_workbook_of_every_row(tour):
    # Given the workbook the curl block downloaded
    curl = next(done for done in tour if "initiate-auth" in done.args[-1])
    workbook = Path(curl.stdout.splitlines()[-1].split()[-1])

    # When it is read
    book = openpyxl.load_workbook(workbook, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()

    # Then it has the header and the 1,000 sample rows, with predictions
    assert len(rows) == 1 + 1000
    assert "prediction" in rows[0]


def test_the_cli_block_waits_with_a_pace_and_lists_the_job(tour):
    # Given the CLI block's output
    cli = next(done for done in tour if "batchscore login" in done.args[-1])

    # When / Then it logged in, waited with elapsed time, and listed the job as from the API
    assert "logged in as demo@example.com" in cli.stdout
    assert "elapsed" in cli.stderr
    assert re.search(r"^status\s+SUCCEEDED$", cli.stdout, re.MULTILINE)
    assert re.search(r"\bSUCCEEDED\s+1000/1000\b.*sample\.csv$", cli.stdout, re.MULTILINE)


def test_the_drop_folder_block_finds_the_result(tour):
    # Given the drop-folder block's output
    drop = next(done for done in tour if "dropbox/acme" in done.args[-1])

    # When / Then its last listing shows the workbook in the outbox
    assert re.search(r"\bsample\.xlsx$", drop.stdout.strip())
