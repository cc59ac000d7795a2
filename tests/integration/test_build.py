"""`make build` for real: sam build for python3.12, layers from Lambda wheels, the size check.

Slow (about two minutes the first time). pip's wheel cache is kept between runs (PIP_CACHE_DIR,
default ~/.cache/pip), so a second run downloads nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from pathlib import Path

import pytest

from infra.build.sam_validate import SAM_VENV, sam_executable, sam_validate

# The build (and .venv-sam's install) happens once per run, even if xdist splits the module.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sam-build"), pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = (
    "JobsDlqFunction",
    "ModelPublishFunction",
    "PredictFunction",
    "ProcessFunction",
    "RegistryFunction",
    "StatusFunction",
    "TrainFunction",
    "TrainingDataFunction",
    "UploadFunction",
    "WebhookFunction",
)


@pytest.fixture(scope="module")
def build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Run infra/build/sam-build.sh once per test run, whichever xdist worker asks first."""
    shared = tmp_path_factory.getbasetemp().parent  # the same directory for every worker
    build_dir = shared / "sam-build"
    outcome = shared / "sam-build.json"
    with (shared / "sam-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not outcome.exists():
            result = _run_build(build_dir)
            outcome.write_text(
                json.dumps(
                    {
                        "returncode": result.returncode,
                        "stdout": result.stdout,
                        "stderr": result.stderr,
                    }
                )
            )
    recorded = json.loads(outcome.read_text())
    return build_dir, subprocess.CompletedProcess(
        ["bash", "infra/build/sam-build.sh"],
        recorded["returncode"],
        recorded["stdout"],
        recorded["stderr"],
    )


def _run_build(build_dir: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "PIP_NO_CACHE_DIR"}
    environment["BUILD_DIR"] = str(build_dir)
    environment.setdefault("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    return subprocess.run(
        ["bash", "infra/build/sam-build.sh"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def layer_python(build_dir: Path, *layers: str) -> str:
    return os.pathsep.join(str(build_dir / layer / "python") for layer in layers)


def test_the_build_succeeds_and_every_function_is_under_the_limit(
    build: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given
    _, result = build

    # When: the size check's report, at the end of the build's output
    report = result.stdout[result.stdout.index("unzipped size per function") :].splitlines()

    # Then
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line.split()[0] for line in report[1:]] == list(FUNCTIONS)
    assert all(line.split()[4] == "ok" for line in report[1:])


def test_the_layers_import_under_python_312_without_writing_anything(
    build: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given: the layers as Lambda mounts them (the bundle at /opt/python/bundle), python3.12
    build_dir, result = build
    python312 = result.stdout.split("Python 3.12 is ", 1)[1].split()[0]
    layers = layer_python(build_dir, "ScoringLayer", "ModelLayer", "CoreLayer")
    code = (
        "import sys\n"
        f"sys.path[:0] = {layers!r}.split({os.pathsep!r})\n"
        "import pandas, numpy, scipy, sklearn.ensemble, skops.io, pydantic\n"
        "import batchscore_model.engine, batchscore_model.bundle, aws_lambda_powertools\n"
        f"assert pandas.__file__.startswith({str(build_dir)!r}), pandas.__file__\n"
        "from pathlib import Path\n"
        "from batchscore_model.bundle import load_bundle\n"
        f"bundle = load_bundle(Path({str(ROOT / 'layers' / 'model' / 'bundle')!r}))\n"
        "print(sklearn.__version__, bool(bundle.version))\n"
    )

    # When: -B: nothing may be written, as /opt is read-only
    imported = subprocess.run(
        [python312, "-I", "-B", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert imported.stdout.strip() == "1.9.1 True"


def test_the_scoring_layer_ships_unchecked_cp312_bytecode_and_no_tests(
    build: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given
    build_dir, _ = build
    site = build_dir / "ScoringLayer" / "python"

    # When
    compiled = site / "pandas" / "__pycache__" / "__init__.cpython-312.pyc"
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")

    # Then: bit 0 = hash-based, bit 1 = check_source (off: unchecked)
    assert flags == 0b01
    assert not list(site.glob("*/tests"))
    # Bundles come from the registry: no layer carries one (issue 10)
    assert not (site / "bundle").exists()
    assert not (build_dir / "ModelLayer" / "python" / "bundle").exists()


def test_sam_validate_lint_passes_offline_once_the_build_installed_sam(
    build: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given: .venv-sam, installed by the build
    sam = sam_executable(ROOT / SAM_VENV)
    assert sam is not None

    # When
    problems = sam_validate(ROOT / "template.yaml", sam)

    # Then
    assert problems == []


def test_the_functions_ship_unchecked_cp312_bytecode(
    build: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Given: SAM's python builder copies function code as source only
    build_dir, _ = build

    # When
    compiled = build_dir / "StatusFunction" / "__pycache__" / "status_handler.cpython-312.pyc"
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")

    # Then: sam-build.sh compiled it as the layers are (Lambda's code is read-only)
    assert flags == 0b01
