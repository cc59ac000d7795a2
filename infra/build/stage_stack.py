"""The deployed stack a `--stage dev|prod` command works on, or the reason it has none."""

from __future__ import annotations

import sys

from infra.build.stage import LOCAL, StackNotFound, Target, target


def stage_stack(stage: str, prog: str, local_note: str) -> Target | None:
    """`stage`'s stack; None once `prog: <why>` is on stderr (`local_note` for the local stage)."""
    if stage == LOCAL:
        print(f"{prog}: {local_note}", file=sys.stderr)
        return None
    try:
        return target(stage)
    except StackNotFound as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None
