"""A mixed file for the test bundle (columns `a`, `b`): id and free-text columns around the
numbers, with commas, quotes, newlines in quotes, non-ASCII, XML specials, formula-like text,
missing values, numerals in several spellings and a bad row or two."""

from __future__ import annotations

import numpy as np

NOTES = [
    "plain",
    'says "hi", twice',
    "Grüße aus Köln, naïve café",
    "東京, 大阪",
    "=1+2",
    "+SUM(A1:A3)",
    "-2+3",
    "@cmd",
    "a & b < c > d",
    "line one\nline two",
    "",
    "  padded  ",
    "emoji 🎉, ok",
    "tab\tinside",
]
NUMERALS = ["1.5", "-0.25", "1e-3", ".5", "+7", "3", "2.50", "-1E2", "0", "12.3456"]
MISSING = ["", "NA", "null", "n/a"]


def mixed_csv(rows: int = 240, *, bad_rows: bool = False, seed: int = 3) -> str:
    rng = np.random.default_rng(seed)
    lines = ["id,a,note,b,score_text"]
    for index in range(rows):
        note = NOTES[index % len(NOTES)]
        quoted = '"' + note.replace('"', '""') + '"' if set(note) & set(',"\n\t ') else note
        a = NUMERALS[int(rng.integers(len(NUMERALS)))]
        b = f"{rng.normal(5, 2):.4f}"
        if index % 17 == 5:
            a = MISSING[index % len(MISSING)]
        if index % 23 == 7:
            b = MISSING[(index + 1) % len(MISSING)]
        if bad_rows and index % 50 == 9:
            a = "abc"
        lines.append(f"ID-{index:05d},{a},{quoted},{b},{rng.integers(0, 100)}")
    return "\n".join(lines) + "\n"
