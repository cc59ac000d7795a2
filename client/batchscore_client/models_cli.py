"""`batchscore models ...`: list and show models, publish a bundle, promote, roll back, retrain.

Reading is open to every signed-in caller; publishing and moving aliases need an admin (the
API answers 403 otherwise, exit code 3).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batchscore_client.bundle import LocalBundle
from batchscore_client.errors import BundleError, NothingToRollBack, RunNotPromoted
from batchscore_client.models_render import model_details, model_table, version_details

if TYPE_CHECKING:
    from batchscore_client.cli import Context

CHAMPION = "champion"
ALIASES = ("champion", "challenger")


def rollback_target(model: dict[str, Any]) -> str:
    """The version the current champion replaced: `from_version` of the last champion move."""
    moves = [move for move in model.get("history") or [] if move.get("alias") == CHAMPION]
    if not moves:
        raise NothingToRollBack(f"{model.get('name')} has no champion move to roll back")
    last = moves[-1]  # the history is append-only, oldest first
    previous = last.get("from_version")
    if not previous:
        raise NothingToRollBack(
            f"{model.get('name')}'s champion {last.get('to_version')} is its first: "
            "there is no earlier champion to go back to"
        )
    return str(previous)


# commands


def cmd_list(ctx: Context) -> int:
    models = ctx.client().list_models()
    ctx.emit({"items": models}, model_table(models))
    return 0


def cmd_show(ctx: Context) -> int:
    args, client = ctx.args, ctx.client()
    if args.version:
        version = client.get_model_version(args.name, args.version)
        ctx.emit(version, version_details(args.name, version))
    else:
        model = client.get_model(args.name)
        ctx.emit(model, model_details(model))
    return 0


def cmd_publish(ctx: Context) -> int:
    args = ctx.args
    bundle = LocalBundle.open(Path(args.directory))
    name = args.name or bundle.name
    if not name:
        raise BundleError('name the model with --name (metadata.json has no "name")')
    upload = ctx.client().publish(
        bundle, name, poll_seconds=args.poll, timeout_seconds=args.timeout
    )
    ctx.emit(upload, f"published {name}@{upload.get('version')}")
    return 0


def cmd_promote(ctx: Context) -> int:
    args = ctx.args
    model = ctx.client().move_alias(args.name, args.alias, args.version, args.reason)
    ctx.emit(model, f"{args.name}: {args.alias} is now {args.version}")
    return 0


def cmd_rollback(ctx: Context) -> int:
    args, client = ctx.args, ctx.client()
    current = client.get_model(args.name)
    target = rollback_target(current)
    before = (current.get("aliases") or {}).get(CHAMPION)
    # conditional on the champion read here: a move landing meanwhile answers 409
    model = client.move_alias(args.name, CHAMPION, target, args.reason, expected_version=before)
    ctx.emit(model, f"{args.name}: champion rolled back from {before} to {target}")
    return 0


def cmd_retrain(ctx: Context) -> int:
    args, client = ctx.args, ctx.client()
    started = client.retrain(args.name)
    if not args.wait:
        ctx.emit(started, f"{args.name}: run {started['run_id']} started")
        return 0
    run = client.wait_for_run(
        args.name, started["run_id"], poll_seconds=args.poll, timeout_seconds=args.timeout
    )
    if run.get("status") != "PROMOTED":
        raise RunNotPromoted(run)
    ctx.emit(run, run_details(run))
    return 0


def run_details(run: dict[str, Any]) -> str:
    lines = [
        f"run {run.get('run_id')} of {run.get('model')}: {run.get('status')}",
        f"  candidate {run.get('candidate_version')}  champion was {run.get('champion_version')}",
    ]
    for check in (run.get("gate") or {}).get("checks", []):
        mark = "ok  " if check.get("passed") else "FAIL"
        lines.append(f"  {mark} {check.get('name')}: {check.get('detail')}")
    return "\n".join(lines)


# parsing


def add_models_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Adds `models` and its subcommands to the `batchscore` parser."""
    models = commands.add_parser(
        "models", parents=[common], help="the model registry: list, show, publish, promote"
    )
    sub = models.add_subparsers(dest="models_command", required=True, metavar="SUBCOMMAND")

    def command(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        parser.set_defaults(run=run)
        return parser

    command("list", cmd_list, "list the models and their aliases")
    show = command("show", cmd_show, "show a model's versions and alias history, or one version")
    show.add_argument("name")
    show.add_argument("version", nargs="?", help="show this version's metrics and input columns")

    publish = command(
        "publish",
        cmd_publish,
        "publish a bundle directory as a new version (the one its metadata.json names)",
    )
    publish.add_argument("directory")
    publish.add_argument("--name", help='the model (default: "name" in metadata.json)')
    publish.add_argument(
        "--timeout", type=float, default=600.0, help="give up waiting for the check after S seconds"
    )
    publish.add_argument("--poll", type=float, default=1.0, help="seconds between status checks")

    promote = command("promote", cmd_promote, "point the champion (or --alias) at a version")
    promote.add_argument("name")
    promote.add_argument("version")
    promote.add_argument("--alias", choices=ALIASES, default=CHAMPION)
    promote.add_argument("--reason", required=True, help="why: kept in the alias history")

    rollback = command(
        "rollback", cmd_rollback, "give the champion back to the version it replaced"
    )
    rollback.add_argument("name")
    rollback.add_argument("--reason", required=True, help="why: kept in the alias history")

    retrain = command(
        "retrain", cmd_retrain, "retrain a model now with its recipe; the accuracy gate decides"
    )
    retrain.add_argument("name")
    retrain.add_argument(
        "--wait", action="store_true", help="wait for the run; exit 5 unless it is PROMOTED"
    )
    retrain.add_argument("--timeout", type=float, default=900.0, help="give up after S seconds")
    retrain.add_argument("--poll", type=float, default=2.0, help="seconds between status checks")
