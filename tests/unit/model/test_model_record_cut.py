"""`record_cut.cut_segments` reads one-line records as the `csv` module does, or declines.

The reference is the regular expression the vectorised reader used before (one group per
segment, quoted text fields RFC 4180 style, no quote in a numeric run): on random chunks built
from an alphabet of delimiters, quotes, line ends and text, the numpy cut takes exactly the
chunks the pattern matched on every line, with the same groups; and every field it gives reads
back, unquoted, as the `csv` module reads the line."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest

from batchscore_model.record_cut import cut_segments

# id (text), three numbers (one run), a free text column, a fourth number, a label (text)
QUOTABLE = [True, False, False, False, True, False, True]
SEGMENTS = [(0, 1), (1, 4), (4, 5), (5, 6), (6, 7)]
ENDS = [stop - 1 for _, stop in SEGMENTS]
PIECES = ["a", "b", "7", "1.5", "-", " ", ",", ";", '"', '""', "\n", "ü", "東", "\x1f", "e3"]
TAME = ["a", "b", "7", "-", " ", "ü", "東", "e3"]  # nothing a bare field may not hold


def reference_groups(text: str, delimiter: str) -> list[list[str]] | None:
    """The former `Layout.record_pattern` cut: every line matches, or None."""
    d = re.escape(delimiter)
    bare = f'[^"{d}\n]*'
    quoted = '"[^"\n]*(?:""[^"\n]*)*"'
    groups = []
    for start, stop in SEGMENTS:
        if QUOTABLE[start]:
            groups.append(f"({quoted}|{bare})")
        else:
            groups.append(f"({bare}(?:{d}{bare}){{{stop - start - 1}}})")
    pattern = re.compile("^" + d.join(groups) + "$", re.MULTILINE)
    matches = pattern.findall(text)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if not text or len(matches) != lines:
        return None
    return [list(group) for group in zip(*matches, strict=True)]


def random_field(rng: np.random.Generator, quotable: bool, tame: bool) -> str:
    roll = rng.random()
    if roll < 0.5:
        return str(round(float(rng.normal(0, 100)), int(rng.integers(0, 5))))
    if quotable and roll < 0.75:
        pieces = [piece for piece in PIECES if piece != "\n"] if tame else PIECES
        inner = "".join(rng.choice(pieces, size=int(rng.integers(0, 5))).tolist())
        return '"' + inner.replace('"', '""') + '"'
    pieces = TAME if tame else PIECES
    return "".join(rng.choice(pieces, size=int(rng.integers(0, 3))).tolist())


def random_chunk(rng: np.random.Generator, delimiter: str, *, tame: bool = False) -> str:
    lines = []
    for _ in range(int(rng.integers(1, 12))):
        ragged = not tame and rng.random() < 0.05
        width = len(QUOTABLE) + (int(rng.integers(-1, 2)) if ragged else 0)
        quotable = [QUOTABLE[min(i, len(QUOTABLE) - 1)] for i in range(width)]
        fields = [random_field(rng, quotable[i], tame) for i in range(width)]
        lines.append(delimiter.join(fields))
    return "\n".join(lines) + ("\n" if rng.random() < 0.7 else "")


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_numpy_cut_takes_what_the_pattern_took_with_the_same_groups(
    seed: int, delimiter: str
) -> None:
    # Given a random chunk (some lines ragged, quotes in and out of place, stray line ends)
    rng = np.random.default_rng(seed)
    matched = 0
    for attempt in range(30):
        text = random_chunk(rng, delimiter, tame=attempt % 2 == 1)
        # When
        cut = cut_segments(text.encode("utf-8"), delimiter, ENDS, QUOTABLE)
        # Then
        expected = reference_groups(text, delimiter)
        matched += expected is not None
        assert cut == expected, text
    assert matched >= 3


@pytest.mark.parametrize("seed", range(20))
def test_every_field_cut_reads_back_as_the_csv_module_reads_it(seed: int) -> None:
    # Given chunks the cut takes
    rng = np.random.default_rng(1000 + seed)
    taken = 0
    for _ in range(40):
        text = random_chunk(rng, ",", tame=True)
        cut = cut_segments(text.encode("utf-8"), ",", ENDS, QUOTABLE)
        if cut is None:
            continue
        taken += 1
        # When each line is read by the csv module
        rows = list(csv.reader(io.StringIO(text), strict=True))
        # Then its fields are the segments' fields, quotes taken off the quoted ones
        for index, row in enumerate(rows):
            fields = []
            for (start, stop), group in zip(SEGMENTS, cut, strict=True):
                value = group[index]
                if QUOTABLE[start] and value.startswith('"'):
                    fields.append(value[1:-1].replace('""', '"'))
                else:
                    fields.extend(value.split(",") if stop - start > 1 else [value])
            assert fields == row, text
    assert taken > 20


@pytest.mark.parametrize(
    "text",
    [
        'x,1,2,3,"a\nb",4,y\n',  # a line end inside quotes
        'x,1,2,3,a"b,4,y\n',  # a quote inside a bare field
        'x,1,"2",3,a,4,y\n',  # a quoted number
        'x,1,2,3,"a"b,4,y\n',  # text after a closing quote
        "x,1,2,3,a,4\n",  # one field short
        "x,1,2,3,a,4,y\n\nx,1,2,3,a,4,y\n",  # a blank line
        'x,1,2,3,"a,4,y\n',  # a quote never closed
    ],
)
def test_lines_the_record_reader_must_read_are_declined(text: str) -> None:
    assert cut_segments(text.encode("utf-8"), ",", ENDS, QUOTABLE) is None


def test_the_separator_moves_to_a_byte_the_chunk_does_not_hold() -> None:
    # Given text holding the first separator byte
    text = 'x\x1f,1,2,3,"a,""b""",4,y\nz,5,6,7,c,8,w'
    # When
    cut = cut_segments(text.encode("utf-8"), ",", ENDS, QUOTABLE)
    # Then
    assert cut == [["x\x1f", "z"], ["1,2,3", "5,6,7"], ['"a,""b"""', "c"], ["4", "8"], ["y", "w"]]
