"""`make score` and `make schema`: the engine and the bundle's schema without AWS."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from batchscore_model.errors import BundleError, InputRejected
from batchscore_model.schema import load_model_info


def _score(args: argparse.Namespace) -> int:
    from batchscore_model.bundle import load_bundle
    from batchscore_model.engine import EngineOptions, score_csv

    bundle = load_bundle(args.bundle)
    options = EngineOptions(bad_rows=args.bad_rows)
    with Path(args.input).open("rb") as source:
        try:
            summary = score_csv(source, bundle, Path(args.output), options=options)
        except InputRejected as exc:
            print(f"{args.input}: rejected ({exc.code}): {exc.message}", file=sys.stderr)
            for item in exc.details[:20]:
                print(
                    f"{args.input}:{item['line'] or '-'}: {item['column'] or '-'}: {item['message']}",
                    file=sys.stderr,
                )
            return 1
    print(f"{args.output}: {summary.one_line()}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    info = load_model_info(args.bundle)
    print(json.dumps(info.to_api(), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="batchscore_model.cli", description=__doc__)
    parser.add_argument("--bundle", type=Path, default=None, help="bundle directory")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score a CSV file into an xlsx workbook")
    score.add_argument("input")
    score.add_argument("output")
    score.add_argument("--bad-rows", choices=["reject", "skip"], default="reject")
    score.set_defaults(run=_score)
    schema = commands.add_parser("schema", help="print the input schema (GET /model shape)")
    schema.set_defaults(run=_schema)
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except BundleError as exc:
        print(f"bundle refused: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
