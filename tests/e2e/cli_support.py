"""Run the `batchscore` command as a user would: a subprocess with its own config directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Cli:
    env: dict[str, str]

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "batchscore_client.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=240,
            check=False,
        )

    def json(self, *args: str) -> Any:
        done = self(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def logged_in_cli(stack: Any, config_dir: Path) -> Cli:
    """Settings from the web page's config.json, then `login` as the demo user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATCHSCORE_", "AWS_"))}
    env["PYTHONPATH"] = str(REPO / "client")
    env["BATCHSCORE_CONFIG_DIR"] = str(config_dir)
    env["BATCHSCORE_WEB_URL"] = stack.web_url
    env["BATCHSCORE_API_URL"] = stack.api_url
    cli = Cli(env)
    login = cli(
        "login", "--username", stack.demo_user, "--password-stdin", stdin=stack.demo_password + "\n"
    )
    assert login.returncode == 0, login.stderr
    return cli
