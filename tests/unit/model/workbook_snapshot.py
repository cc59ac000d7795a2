"""What a workbook means, as plain JSON: every cell's value and type, styles, panes, filters.

Used to compare the engine's output with a snapshot taken from the engine before a rewrite.
Cells whose value changes from run to run (timings, finish time) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

VOLATILE_SUMMARY_ITEMS = ("seconds ", "finished_at")


def snapshot(path: Path) -> dict[str, Any]:
    workbook = openpyxl.load_workbook(path)
    sheets: dict[str, Any] = {}
    for sheet in workbook.worksheets:
        cells = []
        for row in sheet.iter_rows():
            first = row[0].value if row else None
            if sheet.title == "summary" and str(first).startswith(VOLATILE_SUMMARY_ITEMS):
                continue
            cells.append([[cell.value, cell.data_type] for cell in row])
        header = sheet[1]
        sheets[sheet.title] = {
            "cells": cells,
            "freeze_panes": sheet.freeze_panes,
            "auto_filter": sheet.auto_filter.ref,
            "widths": {
                key: dim.width for key, dim in sorted(sheet.column_dimensions.items()) if dim.width
            },
            "header_style": [
                [
                    cell.font.b,
                    cell.font.color.rgb if cell.font.color else None,
                    cell.fill.fgColor.rgb,
                    cell.border.bottom.style,
                ]
                for cell in header
            ],
            "body_style": [
                list(style)
                for style in sorted(
                    {
                        (cell.font.b, cell.fill.fill_type, cell.number_format)
                        for row in sheet.iter_rows(min_row=2)
                        for cell in row
                    }
                )
            ],
        }
    return {"sheets": list(workbook.sheetnames), "content": sheets}
