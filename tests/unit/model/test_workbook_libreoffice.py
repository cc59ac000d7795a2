"""LibreOffice opens the result: headless Calc converts it, and keeps its chart and color scales.

LibreOffice comes from infra/ci/system-deps.sh (`make test` runs it); a fresh profile per test
keeps runs independent.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd

from batchscore_model.bundle import Bundle, load_bundle
from batchscore_model.engine import EngineOptions, score_csv

ROOT = Path(__file__).resolve().parents[3]


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is missing: run `bash infra/ci/system-deps.sh` as root"
    return found


def _convert(workbook: Path, to: str, out: Path) -> subprocess.CompletedProcess[str]:
    profile = out / "profile"
    return subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _result(bundle: Bundle, tmp_path: Path, rows: int = 60) -> Path:
    frame = pd.DataFrame(
        {
            spec.name: [
                (spec.min or 0.0) + ((spec.max or 1.0) - (spec.min or 0.0)) * k / rows
                for k in range(rows)
            ]
            for spec in bundle.info.columns
        }
    )
    target = tmp_path / "result.xlsx"
    score_csv(
        io.BytesIO(frame.to_csv(index=False).encode()),
        bundle,
        target,
        job_id="job-lo",
        options=EngineOptions(explain=True),
        model_name="breast-cancer",
    )
    return target


def test_libreoffice_converts_the_result_to_pdf(tmp_path: Path) -> None:
    # Given: a result of the default model, with reasons
    workbook = _result(load_bundle(ROOT / "layers/model/bundle"), tmp_path)
    # When
    done = _convert(workbook, "pdf", tmp_path)
    # Then
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "result.pdf"
    assert pdf.exists(), done.stdout + done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_libreoffice_reads_the_chart_and_color_scales_it_saves_again(tmp_path: Path) -> None:
    # Given: a regressor's result (histogram chart, decimals, color scale on the prediction)
    workbook = _result(load_bundle(ROOT / "models/diabetes/ridge"), tmp_path)
    out = tmp_path / "saved"
    out.mkdir()
    # When: Calc opens it and writes it as xlsx of its own
    done = _convert(workbook, "xlsx", out)
    # Then: what Calc understood is still there
    assert done.returncode == 0, done.stderr
    saved = openpyxl.load_workbook(out / "result.xlsx")
    assert saved.sheetnames == ["predictions", "summary", "columns", "drift"]
    assert len(saved["summary"]._charts) == 1
    rules = [entry.rules[0].type for entry in saved["predictions"].conditional_formatting]
    assert rules == ["colorScale"]
