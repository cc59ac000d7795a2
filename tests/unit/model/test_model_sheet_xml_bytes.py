"""The predictions sheet's XML is byte for byte what the engine wrote before the text columns
were vectorised (issue 15 items 1-2).

`fixtures/sheet-xml/<case>.xml.gz` were written by the engine before that change (regenerate only
on purpose: `python -m tests.unit.model.test_model_sheet_xml_bytes`, from the repository root
with `PYTHONPATH=layers/model:.`). The probability cells are masked (`<v>P</v>`): their last
digits depend on the platform's floating point, not on the writer. Every other byte is compared:
text cells (inline strings, never formulas, also for `=` `+` `-` `@` and tab), escaping, U+FFFD
for characters XML cannot hold, cut cells, numerals as written, empty cells, rows and sheets.

A second check needs no golden: the same input written through the vectorised paths and through
the record-by-record reader they replace gives identical bytes, probabilities included.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from batchscore_model import parse
from batchscore_model.bundle import Bundle
from batchscore_model.engine import EngineOptions, score_csv
from batchscore_model.xlsx_cells import (
    _SPECIAL,
    EXCEL_MAX_CELL_CHARS,
    TEXT_CLOSE,
    TEXT_OPEN,
    Lines,
    Texts,
    escape,
    spell_rows,
    text_cell,
)
from tests.unit.model.mixed_csv import mixed_csv

FIXTURES = Path(__file__).parent / "fixtures" / "sheet-xml"
_PROBABILITY = re.compile(r'<c s="2"><v>[^<]*</v></c>')


def tricky_csv(*, crlf: bool = False, one_line: bool = False) -> str:
    """Text that XML, CSV and spreadsheets each find hard, in an id and a note column.

    `one_line`: no line end inside quotes (every record on its own line)."""
    notes = [
        '=HYPERLINK("http://x")',
        "+1",
        "-1",
        "@SUM(A1)",
        "\tstarts with a tab",
        "bell\x07and\x01vertical\x0btab",
        "not a character: \ufffe \uffff",
        "cr inside\rquotes",
        "crlf inside\r\nquotes",
        "lf inside\nquotes",
        "",
        "   ",
        'only ""quotes""',
        "<b>&amp;</b> & < > '",
        "Grüße, 東京, 🎉, naïve",
        "x" * 40_000,
        'comma, and "quote"',
        "plain",
    ]
    lines = ["id,a,note,b"]
    for index in range(90):
        note = notes[index % len(notes)]
        if len(note) > 100 and index > len(notes):  # one cell cut at 32,767 is enough
            note = "y" * 70
        if one_line:
            note = note.replace("\r", "<CR>").replace("\n", "<LF>")
        quoted = '"' + note.replace('"', '""') + '"' if set(note) & set(',"\n\r\t ') else note
        ident = ["ID-1", "=cmd|' /C calc'!A0", "@x", "-x", "+x", "ü"][index % 6]
        a = ["1.5", "-2", "1e-3", "NA", "", ".5"][index % 6]
        b = ["3", " 4", "5.000", "+6", "7E1", "null"][(index // 6) % 6]
        lines.append(f"{ident},{a},{quoted},{b}")
    end = "\r\n" if crlf else "\n"
    return end.join(lines) + end


def plain_csv() -> str:
    """Text columns with no quote anywhere (the reader's plain chunks), missing values too."""
    notes = ["plain", "Grüße aus Köln", "=1+2", "+SUM(A1:A3)", "-2+3", "@cmd", "a & b < c"]
    notes += ["", "emoji 🎉", "tab\tinside", "bell\x07", "  padded  ", "东京"]
    lines = ["id,a,note,b"]
    for index in range(300):
        a = ["1.5", "-0.25", "1e-3", ".5", "+7", "NA", "2.50", ""][index % 8]
        b = ["3", "4.25", "-1E2", "0"][index % 4] if index % 37 != 3 else "n/a"
        lines.append(f"P{index},{a},{notes[index % len(notes)]},{b}")
    return "\n".join(lines) + "\n"


ONE_LINE = mixed_csv(600).replace("line one\nline two", "line one, line two")
ONE_LINE_BAD = mixed_csv(600, bad_rows=True).replace("line one\nline two", "line two")
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "mixed": (mixed_csv(), {}),
    "mixed_small_chunks": (mixed_csv(600), {"chunk_rows": 37}),
    "mixed_skip": (mixed_csv(bad_rows=True), {"bad_rows": "skip", "chunk_rows": 50}),
    "tricky": (tricky_csv(), {"chunk_rows": 13}),
    "tricky_crlf": (tricky_csv(crlf=True), {}),
    "mixed_three_sheets": (mixed_csv(), {"sheet_row_limit": 101, "chunk_rows": 64}),
    # Records on one line each: most chunks take the vectorised reader.
    "one_line": (ONE_LINE, {"chunk_rows": 29}),
    "one_line_skip": (ONE_LINE_BAD, {"bad_rows": "skip", "chunk_rows": 31}),
    "one_line_tricky": (tricky_csv(one_line=True), {"chunk_rows": 7}),
    "one_line_tricky_crlf": (tricky_csv(crlf=True, one_line=True), {"chunk_rows": 11}),
    "one_line_plain": (plain_csv(), {"chunk_rows": 23}),
}
SHEETS = {"mixed_three_sheets": 3}  # predictions, predictions_2, predictions_3


def sheet_xml(text: str, bundle: Bundle, target: Path, sheets: int = 1, **options: Any) -> str:
    """The predictions sheets' XML parts, one after the other."""
    score_csv(io.BytesIO(text.encode("utf-8")), bundle, target, options=EngineOptions(**options))
    with zipfile.ZipFile(target) as archive:
        parts = [f"xl/worksheets/sheet{n}.xml" for n in range(1, sheets + 1)]
        return "\n".join(archive.read(part).decode("utf-8") for part in parts)


def masked(xml: str) -> str:
    return _PROBABILITY.sub('<c s="2"><v>P</v></c>', xml)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_sheet_xml_is_byte_for_byte_the_one_written_before(
    case: str, bundle: Bundle, tmp_path: Path
) -> None:
    # Given
    text, options = CASES[case]
    golden = gzip.decompress((FIXTURES / f"{case}.xml.gz").read_bytes()).decode("utf-8")
    # When
    written = sheet_xml(text, bundle, tmp_path / "out.xlsx", SHEETS.get(case, 1), **options)
    # Then
    assert masked(written) == golden


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("workers", [1, 2])
def test_the_vectorised_paths_write_what_the_record_reader_writes(
    case: str, workers: int, bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given
    text, options = CASES[case]
    sheets = SHEETS.get(case, 1)
    fast = sheet_xml(text, bundle, tmp_path / "fast.xlsx", sheets, workers=workers, **options)
    # When
    monkeypatch.setattr(parse, "FAST_PATHS", False)
    slow = sheet_xml(text, bundle, tmp_path / "slow.xlsx", sheets, workers=workers, **options)
    # Then
    assert fast == slow


def main() -> None:  # pragma: no cover - regenerates the golden files, on purpose only
    import tempfile

    from batchscore_model.bundle import load_bundle
    from tests.unit.model.conftest import make_bundle

    FIXTURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        bundle = load_bundle(make_bundle(Path(workdir) / "bundle"))
        for case, (text, options) in CASES.items():
            xml = sheet_xml(
                text, bundle, Path(workdir) / "out.xlsx", SHEETS.get(case, 1), **options
            )
            data = gzip.compress(masked(xml).encode("utf-8"), mtime=0)
            (FIXTURES / f"{case}.xml.gz").write_bytes(data)


if __name__ == "__main__":  # pragma: no cover
    main()


def reference_text_pieces(texts: list[str]) -> tuple[str, list[str], str]:
    """`Texts.pieces` before it was vectorised: one `escape` (or `text_cell`) per value."""
    values = list(texts)
    if not values:
        return TEXT_OPEN, values, TEXT_CLOSE
    joined = "".join(values)
    special = _SPECIAL.search(joined) is not None
    long = len(joined) > EXCEL_MAX_CELL_CHARS and max(map(len, values)) > EXCEL_MAX_CELL_CHARS
    if "" in values:
        return "", [text_cell(value) for value in values], ""
    if special or long:
        values = [escape(value) for value in values]
    return TEXT_OPEN, values, TEXT_CLOSE


def cells_of(pieces: tuple[str, list[str], str]) -> list[str]:
    opening, values, closing = pieces
    return [opening + value + closing for value in values]


ALPHABET = ["a", " ", ",", '"', "&", "<", ">", "\r", "\n", "\t", "\x00", "\x07", "\x0b", "\x1f"]
ALPHABET += ["\ufffe", "\uffff", "ü", "東", "🎉", "=", "+", "-", "@", "\ue000", "\U000f0000"]


@pytest.mark.parametrize("seed", range(40))
def test_text_columns_escaped_at_once_spell_each_cell_as_escaping_each_did(seed: int) -> None:
    # Given columns of random text: empties, specials, controls, the separators themselves
    rng = np.random.default_rng(seed)
    values = [
        "".join(rng.choice(ALPHABET, size=int(rng.integers(0, 6))).tolist())
        for _ in range(int(rng.integers(1, 60)))
    ]
    if seed % 5 == 0:
        values[0] = "x" * (EXCEL_MAX_CELL_CHARS + 3) + "&"
    # When
    pieces = Texts(values).pieces()
    # Then
    assert cells_of(pieces) == cells_of(reference_text_pieces(values))


@pytest.mark.parametrize("case", sorted(name for name in CASES if name.startswith("one_line")))
def test_records_on_one_line_take_the_vectorised_reader(
    case: str, bundle: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a file whose every record is on one line (so the comparisons above are not vacuous)
    text, options = CASES[case]
    read = parse._parse_segments
    taken: list[bool] = []

    def counting(chunk: Any, layout: Any) -> Any:
        result = read(chunk, layout)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(parse, "_parse_segments", counting)
    # When
    sheet_xml(text, bundle, tmp_path / "out.xlsx", SHEETS.get(case, 1), **options)
    # Then every chunk was cut by the pattern
    assert len(taken) > 5
    assert all(taken)


@pytest.mark.parametrize("seed", range(20))
def test_values_kept_with_their_joined_text_spell_as_plain_lists_do(seed: int) -> None:
    # Given columns of random text, each as `Lines` (the text kept) and as a plain list
    rng = np.random.default_rng(500 + seed)
    rows = int(rng.integers(1, 40))
    columns = [
        [
            "".join(rng.choice(["a", "7", ",", "ü", "東", "🎉", ""], size=3).tolist())
            for _ in range(rows)
        ]
        for _ in range(3)
    ]
    kept = [("<c>", Lines(values, "\ue000".join(values), "\ue000"), "</c>") for values in columns]
    plain = [("<c>", list(values), "</c>") for values in columns]
    start = int(rng.integers(0, rows))
    # When spelled whole and in part
    # Then the bytes are the same
    assert spell_rows(kept, 0, rows, 2) == spell_rows(plain, 0, rows, 2)
    assert spell_rows(kept, start, rows, 9) == spell_rows(plain, start, rows, 9)
