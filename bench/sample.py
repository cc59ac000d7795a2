"""`make sample`: a CSV of the default model's schema to try the product with."""

from __future__ import annotations

import argparse
from pathlib import Path

from batchscore_model.schema import load_model_info
from bench.bench import generate_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="where to write the CSV")
    parser.add_argument("--rows", type=int, default=1000, help="data rows (default 1000)")
    args = parser.parse_args(argv)
    columns = [column.name for column in load_model_info().columns]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    replaced = _data_rows(args.out)
    generate_csv(args.out, args.rows, columns)
    print(f"wrote {args.rows} rows of the model's {len(columns)} columns to {args.out}")
    if replaced is not None:
        print(f"(replaced the {replaced}-row file that was there)")
    return 0


def _data_rows(path: Path) -> int | None:
    """Data rows of the file about to be replaced, or None when there is none."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


if __name__ == "__main__":
    raise SystemExit(main())
