"""CSV inputs built from the model's own schema, so the tests follow whatever model is bundled."""

from __future__ import annotations

import math

from batchscore_model.schema import ColumnSpec, load_model_info

JOB_ID = "0123456789abcdef0123456789abcdef"


def columns() -> list[ColumnSpec]:
    return load_model_info().columns


def valid_value(column: ColumnSpec, row: int) -> str:
    if column.dtype == "category":
        categories = column.categories or ["a"]
        return categories[row % len(categories)]
    low = column.min if column.min is not None else 0.0
    high = column.max if column.max is not None else low + 10.0
    share = (row % 10) / 10
    if column.dtype == "integer":
        return str(math.ceil(low) + int((math.floor(high) - math.ceil(low)) * share))
    return f"{low + (high - low) * share:.6g}"


def csv_text(rows: int, *, header: list[str] | None = None) -> str:
    names = header if header is not None else [column.name for column in columns()]
    by_name = {column.name: column for column in columns()}
    lines = [",".join(f'"{name}"' for name in names)]
    for row in range(rows):
        lines.append(
            ",".join(valid_value(by_name[name], row) if name in by_name else "x" for name in names)
        )
    return "\n".join(lines) + "\n"


def valid_csv(rows: int = 5) -> bytes:
    return csv_text(rows).encode()


def csv_without(column: str, rows: int = 3) -> bytes:
    return csv_text(rows, header=[c.name for c in columns() if c.name != column]).encode()


def csv_with_bad_value(row: int, rows: int = 5) -> tuple[bytes, str]:
    """A CSV whose data row `row` (1-based) has text in its first numeric column."""
    lines = csv_text(rows).splitlines()
    numeric = next(c for c in columns() if c.dtype != "category")
    index = [c.name for c in columns()].index(numeric.name)
    cells = lines[row].split(",")
    cells[index] = "not-a-number"
    lines[row] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode(), numeric.name
