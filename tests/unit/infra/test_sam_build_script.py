"""infra/build/sam-build.sh stops with a clear message when no Python 3.12 can be found."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_without_python_312_the_build_says_what_to_install(tmp_path: Path) -> None:
    # Given: a PATH with only the tools the script needs before it looks for Python
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname", "cat"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)

    # When
    result = subprocess.run(
        [str(tools / "bash"), str(ROOT / "infra" / "build" / "sam-build.sh")],
        env={"PATH": str(tools), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # Then
    assert result.returncode == 1
    assert "no Python 3.12 found" in result.stderr
    assert "pyenv install 3.12" in result.stderr
    assert not (tmp_path / ".venv-sam").exists()
