"""Typed columns in, sheet XML rows out: the one place that knows how a cell is spelled.

The engine hands a block of rows as columns (`Numerals`, `NumeralRows`, `Numbers`, `Texts`,
`Labels`). Each column becomes `(open, values, close)`: when every value of the block can share
one wrapper (`<c><v>` … `</v></c>`), the values are the strings as they are; otherwise each value
is a whole cell and the wrappers are empty. A block is then one `str.join` over an interleaved
list, with no per-cell string built in Python on the fast paths.

Text is always an inline string (never a formula); XML-invalid characters become U+FFFD; a cell
is cut at Excel's 32,767 characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the scoring layer ships orjson; repr still works
    _orjson = None  # type: ignore[assignment]

EXCEL_MAX_CELL_CHARS = 32_767
EMPTY_CELL = "<c/>"
NUMBER_OPEN, NUMBER_CLOSE = "<c><v>", "</v></c>"
TEXT_OPEN, TEXT_CLOSE = '<c t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"

# XML 1.0 cannot carry C0 controls other than tab/LF/CR, nor U+FFFE/U+FFFF; CR is escaped so
# parsers keep it.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\r": "&#13;",
        **{chr(code): "\ufffd" for code in range(32) if code not in (9, 10, 13)},
        "\ufffe": "\ufffd",
        "\uffff": "\ufffd",
    }
)
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NUMERAL_BYTES = b"0123456789.-+eE"

Pieces = tuple[str, list[str], str]


class Lines(list[str]):
    """Values split from one text at a mark the values do not hold, keeping the text: the
    UTF-8 path encodes it at once and the ASCII check reads it, instead of joining the values
    again. A slice is a plain list."""

    def __init__(self, values: list[str], text: str, mark: str) -> None:
        super().__init__(values)
        self.text = text
        self.mark = mark

    @classmethod
    def split(cls, text: str, mark: str) -> Lines:
        return cls(text.split(mark), text, mark)


def escape(value: str) -> str:
    return value[:EXCEL_MAX_CELL_CHARS].translate(_ESCAPES)


def text_cell(value: str, style: int = 0) -> str:
    if not value:
        return EMPTY_CELL
    styled = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def value_cell(value: object) -> str:
    """One cell of a Python value (the small sheets: summary, errors, warnings)."""
    if value is None:
        return EMPTY_CELL
    if isinstance(value, bool):
        return text_cell(str(value).lower())
    if isinstance(value, int):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, float):
        return f"<c><v>{value!r}</v></c>" if np.isfinite(value) else EMPTY_CELL
    return text_cell(str(value))


# orjson spells a float64 as repr does from 1e-4 up (tests/unit/model/test_model_xlsx_floats.py);
# below it writes 0.0000999... where repr writes 9.99e-05. Beyond 1e16 repr is kept to be safe.
_ORJSON_LOW, _ORJSON_HIGH = 1e-4, 1e16
_ORJSON_MIN_VALUES = 64  # fewer: repr is as quick


def shortest_reprs(floats: np.ndarray) -> list[str]:
    """`repr` of each float64 (the shortest text that reads back as the same number).

    orjson writes a whole array at once in the same spelling, about 7x faster than a repr
    per value; values it would spell otherwise (tiny, huge, NaN, infinite) take repr."""
    if _orjson is None or len(floats) < _ORJSON_MIN_VALUES:
        return list(map(float.__repr__, floats.tolist()))
    values = np.ascontiguousarray(floats, dtype=np.float64)
    option = _orjson.OPT_SERIALIZE_NUMPY
    written = _orjson.dumps(values, option=option).decode("ascii")[1:-1].split(",")
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        usual = ((magnitude >= _ORJSON_LOW) & (magnitude < _ORJSON_HIGH)) | (magnitude == 0)
    others = np.flatnonzero(~usual)
    spelled = map(float.__repr__, values[others].tolist())
    for index, text in zip(others.tolist(), spelled, strict=True):
        written[index] = text
    return written


def is_plain_numerals(texts: Sequence[str]) -> bool:
    """Every value is made of digits, signs, points and exponents only (callers parsed them)."""
    joined = "".join(texts)
    return joined.isascii() and not joined.encode("ascii").translate(None, _NUMERAL_BYTES)


@dataclass(frozen=True)
class Numbers:
    """Floats written in their shortest round-trip form; NaN is an empty cell.

    `style`: the cell format's index in the workbook's styles (0: General).
    """

    values: np.ndarray
    style: int = 0

    def pieces(self) -> Pieces:
        floats = self.values.astype(np.float64, copy=False)
        written = shortest_reprs(floats)
        missing = np.isnan(floats)
        opening = f'<c s="{self.style}"><v>' if self.style else NUMBER_OPEN
        if not missing.any():
            return opening, written, NUMBER_CLOSE
        cells = [f"{opening}{text}{NUMBER_CLOSE}" for text in written]
        for index in np.flatnonzero(missing).tolist():
            cells[index] = EMPTY_CELL
        return "", cells, ""


@dataclass(frozen=True)
class Numerals:
    """Numbers exactly as the input wrote them, when each is a plain numeral, else `values`.

    `values` are the parsed floats (NaN = missing, written as an empty cell); every present
    text parsed to a finite number.
    """

    texts: Sequence[str]
    values: np.ndarray

    def pieces(self) -> Pieces:
        missing = np.isnan(self.values)
        if not missing.any():
            if not is_plain_numerals(self.texts):
                return Numbers(self.values).pieces()
            return NUMBER_OPEN, list(self.texts), NUMBER_CLOSE
        flags = missing.tolist()
        present = [text for text, gone in zip(self.texts, flags, strict=True) if not gone]
        if not is_plain_numerals(present):
            return Numbers(self.values).pieces()
        cells = [
            EMPTY_CELL if gone else f"<c><v>{text}</v></c>"
            for text, gone in zip(self.texts, flags, strict=True)
        ]
        return "", cells, ""


@dataclass(frozen=True)
class NumeralRows:
    """Leading cells of each row given as the input's own lines of plain numerals.

    `text` holds one line per row (no line ends inside, none at the end); every field of every
    line is a plain numeral that parsed to a finite number.
    """

    text: str
    delimiter: str

    def pieces(self) -> Pieces:
        joined = self.text.replace(self.delimiter, NUMBER_CLOSE + NUMBER_OPEN)
        return NUMBER_OPEN, Lines.split(joined, "\n"), NUMBER_CLOSE


@dataclass(frozen=True)
class Texts:
    """Text as written: inline strings (never formulas), empty text as an empty cell."""

    texts: Sequence[str]

    def pieces(self) -> Pieces:
        values = list(self.texts)
        if not values:
            return TEXT_OPEN, values, TEXT_CLOSE
        joined, mark = _joined(values)
        special = _SPECIAL.search(joined) is not None
        long = len(joined) > EXCEL_MAX_CELL_CHARS and max(map(len, values)) > EXCEL_MAX_CELL_CHARS
        empty = "" in values
        if long:
            if empty:
                return "", [text_cell(value) for value in values], ""
            return TEXT_OPEN, [escape(value) for value in values], TEXT_CLOSE
        if special:
            values = _escape_all(values, joined, mark)
        elif mark is not None:
            values = Lines(values, joined, mark)
        if empty:
            return "", _cells_or_empty(values), ""
        return TEXT_OPEN, values, TEXT_CLOSE


# Separators for a column joined and split again: escaping keeps them as they are.
_SEPARATORS = ("\n", "\ue000", "\U000f0000")


def _separator(joined: str) -> str | None:
    return next((mark for mark in _SEPARATORS if mark not in joined), None)


def _joined(values: list[str]) -> tuple[str, str | None]:
    """The values joined by a separator none of them holds, and that separator; or joined by
    nothing, and None, when each separator is in some value."""
    for mark in _SEPARATORS:
        joined = mark.join(values)
        if joined.count(mark) == len(values) - 1:
            return joined, mark
    return "".join(values), None


def _escape_all(values: list[str], joined: str, mark: str | None) -> list[str]:
    """`escape` of each value (none longer than a cell), in one `translate` of the column
    `joined` by `mark`."""
    if mark is None:
        return [escape(value) for value in values]
    return Lines.split(_escape_long(joined), mark)


def _escape_long(text: str) -> str:
    """`str.translate(_ESCAPES)` for long text: `str.replace` runs at memory speed, a
    translate table looks each character up."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    return INVALID_XML.sub("\ufffd", text) if INVALID_XML.search(text) else text


def _cells_or_empty(escaped: list[str]) -> list[str]:
    """Whole text cells of escaped values; an empty value is an empty cell."""
    mark = _separator("".join(escaped))
    if mark is None:
        cells = [f"{TEXT_OPEN}{value}{TEXT_CLOSE}" for value in escaped]
    else:
        spelled = (TEXT_CLOSE + mark + TEXT_OPEN).join(escaped)
        cells = (TEXT_OPEN + spelled + TEXT_CLOSE).split(mark)
    lengths = np.fromiter(map(len, escaped), dtype=np.int64, count=len(escaped))
    for index in np.flatnonzero(lengths == 0).tolist():
        cells[index] = EMPTY_CELL
    return cells


@dataclass(frozen=True)
class Labels:
    """Text cells for a column with few distinct values (class labels)."""

    labels: Sequence[str]

    @classmethod
    def of_codes(cls, codes: np.ndarray, classes: Sequence[str]) -> Labels:
        cells = np.array([text_cell(str(label)) for label in classes], dtype=object)
        return cls(cells[codes].tolist(), spelled=True)

    spelled: bool = False  # the labels are already whole cells

    def pieces(self) -> Pieces:
        if self.spelled:
            return "", list(self.labels), ""
        cache: dict[str, str] = {}
        cells = [
            cache.get(label) or cache.setdefault(label, text_cell(label)) for label in self.labels
        ]
        return "", cells, ""


Column = Numbers | Numerals | NumeralRows | Texts | Labels


def encode_rows(blocks: Sequence[Pieces], first_row: int, count: int) -> str | bytes:
    """`count` rows numbered from `first_row`, the columns' pieces side by side.

    With non-ASCII text the rows come out as UTF-8 bytes, joined from columns encoded one by
    one: a `str` join would widen every character of the block to the widest one's size, and
    encoding the whole block back to UTF-8 would cost as much again."""
    if count == 0:
        return ""
    if not all(_ascii(values) for _, values, _ in blocks):
        return _encode_rows_utf8(blocks, first_row, count)
    width = len(blocks)
    stride = 2 * width + 2
    parts: list[str] = [""] * (stride * count)
    parts[0::stride] = list(map(str, range(first_row, first_row + count)))
    previous_close = '">'
    for index, (opening, values, closing) in enumerate(blocks):
        if len(values) != count:
            raise ValueError(f"column {index} has {len(values)} values for {count} rows")
        parts[1 + 2 * index :: stride] = [previous_close + opening] * count
        parts[2 + 2 * index :: stride] = values
        previous_close = closing
    parts[stride - 1 :: stride] = [previous_close + '</row><row r="'] * count
    parts[-1] = previous_close + "</row>"
    return '<row r="' + "".join(parts)


def _ascii(values: list[str]) -> bool:
    if isinstance(values, Lines):
        return values.text.isascii()
    return "".join(values).isascii()


def _encode_rows_utf8(blocks: Sequence[Pieces], first_row: int, count: int) -> bytes:
    """`encode_rows` in UTF-8 bytes: the same rows, each column encoded in one go."""
    width = len(blocks)
    stride = 2 * width + 2
    parts: list[bytes] = [b""] * (stride * count)
    parts[0::stride] = _utf8([str(row) for row in range(first_row, first_row + count)])
    previous_close = '">'
    for index, (opening, values, closing) in enumerate(blocks):
        if len(values) != count:
            raise ValueError(f"column {index} has {len(values)} values for {count} rows")
        parts[1 + 2 * index :: stride] = [(previous_close + opening).encode("utf-8")] * count
        parts[2 + 2 * index :: stride] = _utf8(values)
        previous_close = closing
    parts[stride - 1 :: stride] = [(previous_close + '</row><row r="').encode("utf-8")] * count
    parts[-1] = (previous_close + "</row>").encode("utf-8")
    return b'<row r="' + b"".join(parts)


def _utf8(values: list[str]) -> list[bytes]:
    """Each value in UTF-8, from one `encode` of the joined column (split at a mark absent
    from it; UTF-8 never holds a character's bytes inside another's)."""
    text, mark = (values.text, values.mark) if isinstance(values, Lines) else _joined(values)
    if mark is None:
        return [value.encode("utf-8") for value in values]
    return text.encode("utf-8").split(mark.encode("utf-8"))


def slice_pieces(blocks: Sequence[Pieces], start: int, stop: int) -> list[Pieces]:
    return [(opening, values[start:stop], closing) for opening, values, closing in blocks]


def spell_rows(blocks: Sequence[Pieces], start: int, stop: int, first_row: int) -> bytes:
    """Rows `start:stop` of the columns' pieces as sheet XML in UTF-8, numbered from
    `first_row` (the columns are sliced only when the rows are not all of them)."""
    whole = start == 0 and all(len(values) == stop for _, values, _ in blocks)
    part = blocks if whole else slice_pieces(blocks, start, stop)
    xml = encode_rows(part, first_row, stop - start)
    return xml if isinstance(xml, bytes) else xml.encode("utf-8")
