"""The data sheet's rows spelled and deflated by a child process (`xlsx_process`).

With more than one core, from the table's second block on, the writer hands rows to a child;
the workbook must be the same bytes as with one core, and a child that fails or dies must end
the job with an error, never a hang or a workbook that looks whole."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from batchscore_model import xlsx_process
from batchscore_model.bundle import Bundle
from batchscore_model.engine import EngineOptions, score_csv
from batchscore_model.xlsx import XlsxStreamWriter
from batchscore_model.xlsx_cells import Numbers, Pieces, Texts
from tests.unit.model.mixed_csv import mixed_csv

pytestmark = pytest.mark.timeout(120)


def data_sheets(target: Path) -> dict[str, bytes]:
    """The predictions sheets' parts (the writer numbers parts as it names sheets)."""
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        parts = re.findall(r'<sheet name="predictions[^"]*" sheetId="(\d+)"', workbook)
        return {n: archive.read(f"xl/worksheets/sheet{n}.xml") for n in parts}


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[xlsx_process.RowEncoder]:
    """Every child the writer starts, to tell whether one ran and that it has gone."""
    started: list[xlsx_process.RowEncoder] = []
    real = xlsx_process.RowEncoder.__init__

    def counting(self: xlsx_process.RowEncoder, **kwargs: int) -> None:
        real(self, **kwargs)
        started.append(self)

    monkeypatch.setattr(xlsx_process.RowEncoder, "__init__", counting)
    return started


def numeric_csv(rows: int) -> str:
    rng = np.random.default_rng(5)
    body = "\n".join(f"{a:.4f},{b:.3f}" for a, b in rng.normal(0, 2, (rows, 2)))
    return "a,b\n" + body + "\n"


CASES = {
    "numeric": (numeric_csv(3_000), {"chunk_rows": 400}),
    "mixed_three_sheets": (mixed_csv(600), {"chunk_rows": 64, "sheet_row_limit": 251}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_core_writes_the_bytes_one_core_writes(
    case: str, bundle: Bundle, tmp_path: Path, children: list[xlsx_process.RowEncoder]
) -> None:
    # Given: a file of many blocks
    text, options = CASES[case]

    def score(workers: int, name: str) -> dict[str, bytes]:
        target = tmp_path / name
        source = io.BytesIO(text.encode("utf-8"))
        score_csv(source, bundle, target, options=EngineOptions(workers=workers, **options))
        return data_sheets(target)

    # When
    alone, beside = score(1, "one.xlsx"), score(2, "two.xlsx")
    # Then: one child ran, for the two-core workbook only, and has exited
    assert len(children) == 1
    assert children[0]._child.poll() == 0
    assert len(alone) == (3 if case == "mixed_three_sheets" else 1)
    assert beside == alone


def test_a_file_of_one_block_starts_no_child(
    bundle: Bundle, tmp_path: Path, children: list[xlsx_process.RowEncoder]
) -> None:
    # Given
    source = io.BytesIO(numeric_csv(50).encode("utf-8"))
    # When
    score_csv(source, bundle, tmp_path / "out.xlsx", options=EngineOptions(workers=2))
    # Then
    assert children == []
    assert len(data_sheets(tmp_path / "out.xlsx")) == 1


@dataclass(frozen=True)
class Failing:
    """A column that cannot be spelled (the child imports this module to unpickle it)."""

    count: int

    def pieces(self) -> Pieces:
        raise ValueError("this column cannot be spelled")


def writer_with_child(target: Path) -> XlsxStreamWriter:
    writer = XlsxStreamWriter(target, workers=2)
    writer.begin_table("predictions", ["p"], [10.0])
    writer.append_columns([Numbers(np.array([0.5, 0.25]))], 2)
    writer.append_columns([Texts(["x", "y"])], 2)  # the second block: the child takes it
    assert writer._encoder is not None
    return writer


def test_a_failure_in_the_child_is_raised_with_its_reason(
    tmp_path: Path, children: list[xlsx_process.RowEncoder]
) -> None:
    # Given
    writer = writer_with_child(tmp_path / "out.xlsx")
    # When
    writer.append_columns([Failing(2)], 2)  # type: ignore[list-item]
    with pytest.raises(xlsx_process.EncoderStopped) as raised:
        writer.end_table()
    writer.abort()
    # Then
    assert "this column cannot be spelled" in str(raised.value)
    assert children[0]._child.poll() is not None


def test_a_child_that_dies_ends_the_table_with_an_error(
    tmp_path: Path, children: list[xlsx_process.RowEncoder]
) -> None:
    # Given
    writer = writer_with_child(tmp_path / "out.xlsx")
    # When: the child is killed (out of memory, say) while rows are still to come
    children[0]._child.kill()

    def go_on() -> None:
        for _ in range(10):
            writer.append_columns([Texts(["x", "y"])], 2)
        writer.end_table()

    with pytest.raises(xlsx_process.EncoderStopped) as raised:
        go_on()
    writer.abort()
    # Then
    assert "stopped" in str(raised.value)


def test_the_engine_removes_the_workbook_when_the_child_fails(
    bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: the child is told to spell a column it cannot
    real = xlsx_process.RowEncoder.rows
    calls: list[int] = []

    def rows_then_fail(self: xlsx_process.RowEncoder, columns, *args: int) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        real(self, [Failing(1)] if len(calls) == 2 else columns, *args)

    monkeypatch.setattr(xlsx_process.RowEncoder, "rows", rows_then_fail)
    target = tmp_path / "out.xlsx"
    source = io.BytesIO(numeric_csv(2_000).encode("utf-8"))
    # When
    with pytest.raises(xlsx_process.EncoderStopped):
        score_csv(source, bundle, target, options=EngineOptions(workers=2, chunk_rows=300))
    # Then
    assert not target.exists()
