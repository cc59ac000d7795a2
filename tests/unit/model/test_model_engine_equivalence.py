"""The rewritten engine writes what the engine before it wrote, on a mixed file.

`fixtures/mixed-golden.json` was taken from the engine before the performance rewrite
(`workbook_snapshot.snapshot` of its output for `mixed_csv()`): every cell's value and type,
header and body styles, panes, filters, widths and sheets. Later additions (the warnings and
columns sheets, their summary rows) are allowed on top; nothing the old workbook held may differ,
except one deliberate change made in the golden file itself: the probability columns are
formatted as percentages (issue 16), so the predictions sheet's body styles include `0.0%`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from batchscore_model.bundle import Bundle
from batchscore_model.engine import EngineOptions, score_csv
from tests.unit.model.mixed_csv import mixed_csv
from tests.unit.model.workbook_snapshot import snapshot

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "mixed-golden.json").read_text("utf-8"))
CASES = {
    "mixed": (mixed_csv(), {}),
    "mixed_skip": (mixed_csv(bad_rows=True), {"bad_rows": "skip", "chunk_rows": 50}),
}
ADDED_SHEETS = {"warnings", "columns"}
ADDED_SUMMARY_ITEMS = ("warnings",)


def same_cells(new: list, old: list) -> bool:
    if len(new) != len(old):
        return False
    for new_row, old_row in zip(new, old, strict=True):
        if len(new_row) != len(old_row):
            return False
        for (new_value, new_type), (old_value, old_type) in zip(new_row, old_row, strict=True):
            if new_type != old_type:
                return False
            if isinstance(old_value, float) and new_value != pytest.approx(old_value, rel=1e-12):
                return False
            if not isinstance(old_value, float) and new_value != old_value:
                return False
    return True


def _without_added_sheets(row: list) -> list:
    if row[0][0] != "sheets":
        return row
    names = [name for name in row[1][0].split(", ") if name not in ADDED_SHEETS]
    return [row[0], [", ".join(names), row[1][1]]]


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("workers", [1, 3])
def test_the_workbook_matches_the_one_written_before_the_rewrite(
    case: str, workers: int, bundle: Bundle, tmp_path: Path
) -> None:
    # Given
    text, options = CASES[case]
    target = tmp_path / "out.xlsx"
    # When
    score_csv(
        io.BytesIO(text.encode("utf-8")),
        bundle,
        target,
        job_id="job-1",
        options=EngineOptions(workers=workers, **options),
    )
    # Then
    new, old = snapshot(target), GOLDEN[case]
    assert [name for name in new["sheets"] if name not in ADDED_SHEETS] == old["sheets"]
    for name, old_sheet in old["content"].items():
        new_sheet = dict(new["content"][name])
        if name == "summary":
            new_sheet["cells"] = [
                _without_added_sheets(row)
                for row in new_sheet["cells"]
                if not str(row[0][0]).startswith(ADDED_SUMMARY_ITEMS)
            ]
            new_sheet.pop("auto_filter")  # spans the summary's rows, one more now
            old_sheet = {key: value for key, value in old_sheet.items() if key != "auto_filter"}
        assert same_cells(new_sheet.pop("cells"), old_sheet["cells"]), name
        assert new_sheet == {key: value for key, value in old_sheet.items() if key != "cells"}, name
