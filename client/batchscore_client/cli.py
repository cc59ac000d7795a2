"""The `batchscore` command: log in, submit CSVs, follow, download, retry and delete jobs.

Exit codes: 0 done, 1 API or transfer error, 2 usage or configuration, 3 authentication,
4 job (or model) not found, 5 the job ended FAILED or REJECTED (or a bundle was refused),
6 waiting timed out, 130 interrupted.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from batchscore_client import __version__
from batchscore_client.api import BatchscoreClient
from batchscore_client.auth import CognitoLogin, TokenProvider, client_credentials
from batchscore_client.config import CREDENTIALS_FILENAME, config_dir, load_settings
from batchscore_client.credentials import CredentialStore
from batchscore_client.errors import (
    ApiError,
    BatchscoreClientError,
    ConfigError,
    Detail,
    JobDidNotSucceed,
    PublishRefused,
)
from batchscore_client.models_cli import add_models_command
from batchscore_client.progress import ProgressBar
from batchscore_client.render import beyond, detail_lines, job_summary, job_table

STATUSES = ("AWAITING_UPLOAD", "QUEUED", "PROCESSING", "SUCCEEDED", "FAILED", "REJECTED")
LOGIN_FLAGS = (
    "cognito_endpoint",
    "region",
    "user_pool_client_id",
    "username",
    "token_url",
    "client_id",
    "scopes",
)
SETTING_FLAGS = ("api_url", "web_url", *LOGIN_FLAGS)


class Context:
    """What every command needs: settings, saved credentials, the output mode."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.as_json: bool = args.json
        self.store = CredentialStore(config_dir() / CREDENTIALS_FILENAME)
        saved = self.store.load()
        flags = {name: getattr(args, name, None) for name in SETTING_FLAGS}
        flags["client_secret"] = _stdin_line() if args.client_secret_stdin else None
        self.settings = load_settings(
            flags, remembered=saved.remembered_settings() if saved else None
        )

    def client(self) -> BatchscoreClient:
        self.settings.require("api_url")
        tokens = TokenProvider(self.store, self.settings)
        return BatchscoreClient(self.settings.api_url, tokens)

    def emit(self, value: Any, human: str) -> None:
        print(json.dumps(value, indent=2) if self.as_json else human)


# commands


def cmd_login(ctx: Context) -> int:
    settings, args = ctx.settings, ctx.args
    # a client secret at hand means a partner program, unless a username was given
    if settings.client_secret and settings.client_id and settings.token_url and not args.username:
        credentials = client_credentials(
            settings.token_url, settings.client_id, settings.client_secret, settings.scopes
        )
        who = f"client {settings.client_id}"
    else:
        settings.require("user_pool_client_id")
        if not settings.cognito_url:
            settings.require("cognito_endpoint")
        username = settings.username or _ask("username: ", hint="give --username")
        password = (
            _stdin_line()
            if args.password_stdin
            else os.environ.get("BATCHSCORE_PASSWORD")
            or _ask("password: ", secret=True, hint="pipe it in with --password-stdin")
        )
        new_password = (
            _ask("new password: ", secret=True, hint="set it in the web page first")
            if args.new_password
            else None
        )
        login = CognitoLogin(settings.cognito_url, settings.user_pool_client_id)
        credentials = login.with_password(username, password, new_password=new_password)
        who = username
    credentials = replace(credentials, api_url=settings.api_url)
    ctx.store.save(credentials)
    ctx.emit(
        {"logged_in": who, "kind": credentials.kind, "api_url": settings.api_url},
        f"logged in as {who}",
    )
    return 0


def cmd_logout(ctx: Context) -> int:
    ctx.store.clear()
    ctx.emit({"logged_out": True}, "logged out")
    return 0


def cmd_submit(ctx: Context) -> int:
    args = ctx.args
    client = ctx.client()
    job = client.submit(Path(args.file), callback_url=args.callback_url, model=args.model)
    if not args.wait and not args.output:
        ctx.emit(job, f"submitted {args.file} as job {job['job_id']} ({job['status']})")
        return 0
    print(f"job {job['job_id']}: waiting", file=sys.stderr)
    bar = ProgressBar()
    try:
        job = client.wait(
            job["job_id"],
            on_update=bar.update,
            poll_seconds=args.poll,
            timeout_seconds=args.timeout,
        )
    finally:
        bar.close()
    if args.output is None:
        ctx.emit(job, job_summary(job))
        return 0
    saved = client.download(job["job_id"], Path(args.output))
    ctx.emit({**job, "output": str(saved)}, f"{job_summary(job)}\nsaved    {saved}")
    return 0


def cmd_status(ctx: Context) -> int:
    job = ctx.client().get_job(ctx.args.job_id)
    ctx.emit(job, job_summary(job))
    return 0


def cmd_list(ctx: Context) -> int:
    args = ctx.args
    jobs, token = ctx.client().list_jobs(
        status=args.status, archived=args.archived, limit=args.limit, next_token=args.next_token
    )
    more = f"\nmore: batchscore list --next-token {token}" if token else ""
    ctx.emit({"items": jobs, "next_token": token}, job_table(jobs) + more)
    return 0


def cmd_download(ctx: Context) -> int:
    saved = ctx.client().download(
        ctx.args.job_id, Path(ctx.args.output) if ctx.args.output else None
    )
    ctx.emit({"job_id": ctx.args.job_id, "output": str(saved)}, f"saved {saved}")
    return 0


def cmd_retry(ctx: Context) -> int:
    job = ctx.client().retry(ctx.args.job_id)
    ctx.emit(job, f"job {ctx.args.job_id} is {job.get('status')} again")
    return 0


def cmd_archive(ctx: Context) -> int:
    job = ctx.client().archive(ctx.args.job_id, archived=not ctx.args.undo)
    state = "archived" if job.get("archived") else "active"
    ctx.emit(job, f"job {ctx.args.job_id} is {state}")
    return 0


def cmd_delete(ctx: Context) -> int:
    ctx.client().delete(ctx.args.job_id)
    ctx.emit({"job_id": ctx.args.job_id, "deleted": True}, f"deleted job {ctx.args.job_id}")
    return 0


def cmd_model(ctx: Context) -> int:
    model = ctx.client().model()
    columns = ", ".join(c.get("name", "?") for c in model.get("columns", []))
    ctx.emit(model, f"model {model.get('version')} ({model.get('task')})\ncolumns: {columns}")
    return 0


# parsing


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
    )
    for name in ("api_url", "web_url"):
        common.add_argument(f"--{name.replace('_', '-')}", dest=name, default=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="batchscore",
        description="Score CSV files with the batchscore API.",
        parents=[common],
        epilog="Settings: flags, then BATCHSCORE_* variables, then "
        f"{config_dir() / 'config.toml'}. Exit codes: see `pydoc batchscore_client.cli`.",
    )
    parser.add_argument("--version", action="version", version=f"batchscore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, run: Callable[[Context], int], help_text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(run=run)
        return sub

    login = command(
        "login", cmd_login, "log in (a person, or a partner program with client credentials)"
    )
    for name in LOGIN_FLAGS:
        login.add_argument(f"--{name.replace('_', '-')}", dest=name)
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.add_argument(
        "--client-secret-stdin", action="store_true", help="read the client secret from stdin"
    )
    login.add_argument(
        "--new-password", action="store_true", help="choose a new password (first login)"
    )
    command("logout", cmd_logout, "forget the saved credentials")

    submit = command("submit", cmd_submit, "upload a CSV and start a job")
    submit.add_argument("file")
    submit.add_argument(
        "--wait", action="store_true", help="wait for the job to end (progress on stderr)"
    )
    submit.add_argument("-o", "--output", help="wait, then save the workbook here")
    submit.add_argument("--callback-url", help="POST the job here (signed) when it ends")
    submit.add_argument(
        "--model", help="NAME (its champion) or NAME@VERSION; default: the default model"
    )
    submit.add_argument(
        "--timeout", type=float, default=None, help="give up waiting after S seconds"
    )
    submit.add_argument("--poll", type=float, default=1.0, help="seconds between status checks")

    command("status", cmd_status, "show one job").add_argument("job_id")
    listing = command("list", cmd_list, "list your jobs, newest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--archived", action="store_true", help="list archived jobs")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--next-token")
    download = command("download", cmd_download, "save a job's result workbook")
    download.add_argument("job_id")
    download.add_argument("-o", "--output", help="file or directory (default: <name>.xlsx here)")
    command("retry", cmd_retry, "run a FAILED or REJECTED job again").add_argument("job_id")
    archive = command("archive", cmd_archive, "archive a job (or --undo)")
    archive.add_argument("job_id")
    archive.add_argument("--undo", action="store_true")
    command("delete", cmd_delete, "delete a job and its files").add_argument("job_id")
    command("model", cmd_model, "show the model version and its input columns")
    add_models_command(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (
        ("json", False),
        ("client_secret_stdin", False),
        ("password_stdin", False),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    try:
        ctx = Context(args)
        code: int = args.run(ctx)
        return code
    except JobDidNotSucceed as exc:
        return _fail(args, exc, exc.details, show_code=True, job=exc.job)
    except PublishRefused as exc:
        return _fail(args, exc, exc.details, show_code=True)
    except ApiError as exc:
        return _fail(args, exc, exc.details, show_code=True, status=exc.status)
    except BatchscoreClientError as exc:
        return _fail(args, exc, [])
    except KeyboardInterrupt:
        print("batchscore: interrupted", file=sys.stderr)
        return 130


def _fail(
    args: argparse.Namespace,
    exc: BatchscoreClientError,
    details: list[Detail],
    *,
    show_code: bool = False,
    status: int | None = None,
    job: dict[str, Any] | None = None,
) -> int:
    """One line on stderr (then the input problems, if any); with --json, the same on stdout."""
    message = str(exc)
    http = f", HTTP {status}" if status else ""
    suffix = f" [{exc.code}{http}]" if show_code else ""
    print(f"batchscore: error: {message}{suffix}", file=sys.stderr)
    for line in detail_lines(beyond(message, details)):
        print(line, file=sys.stderr)
    if args.json:
        body: dict[str, Any] = {
            "error": {
                "code": exc.code,
                "message": message,
                "details": [_detail_json(d) for d in details],
            }
        }
        if job is not None:
            body["job"] = job
        print(json.dumps(body, indent=2))
    return exc.exit_code


def _detail_json(detail: Detail) -> dict[str, Any]:
    """The API's detail shape; `field` only for problems in the request itself."""
    body: dict[str, Any] = {"line": detail.line, "column": detail.column, "message": detail.message}
    if detail.field:
        body["field"] = detail.field
    return body


def _stdin_line() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _ask(prompt: str, *, hint: str, secret: bool = False) -> str:
    """A prompt on the terminal; without one (a script, `< /dev/null`), say what to use instead."""
    if not sys.stdin.isatty():
        raise ConfigError(f"no terminal to ask for the {prompt.rstrip(': ')}: {hint}")
    try:
        return getpass.getpass(prompt) if secret else input(prompt)
    except EOFError as exc:
        raise ConfigError(f"no answer for the {prompt.rstrip(': ')}: {hint}") from exc


def run() -> None:
    """The console script's entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
