"""Cut a chunk's one-line records into segments of fields with numpy, not a pattern per line.

numpy finds every delimiter, line end and quote of the chunk's UTF-8 bytes at once; the
delimiters inside quoted fields are dropped by the quotes' spans, and every line must then have
the header's count of delimiters. The delimiters that end a segment and the line ends are set to
one separator byte the chunk does not hold, and one `str.split` of the decoded chunk makes every
segment's string, row after row, with no Python run per line.

The fields are read as the `csv` module reads a record (RFC 4180: a quoted field starts and ends
with a quote and doubles the quotes inside it). Anything it could read otherwise is None, and
the record reader reads the chunk: a line of another width, a quote that neither opens nor closes
a whole field, a quote in a column that may not hold one, a line end inside quotes, or no free
separator byte.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_QUOTE, _LINE_END = ord('"'), ord("\n")
_SEPARATORS = (b"\x1f", b"\x1e", b"\x1d", b"\x1c", b"\x00")


def cut_segments(
    raw: bytes, delimiter: str, ends: Sequence[int], quotable: Sequence[bool]
) -> list[list[str]] | None:
    """The fields of `raw`'s lines grouped by segment: a list per segment, a string per line.

    A segment is fields `[previous end + 1, end]` joined by their delimiters as written, quotes
    kept; `ends` are the fields ending each segment (the last is the last field). `quotable`
    says per field whether it may be quoted. `raw` is UTF-8 with no CR, and ends in at most
    one line end.
    """
    width = len(quotable)
    if len(delimiter) != 1 or not delimiter.isascii() or delimiter in '"\n' or not raw:
        return None
    separator = next((mark for mark in _SEPARATORS if mark not in raw), None)
    if separator is None:
        return None
    data = np.frombuffer(raw, dtype=np.uint8)
    size = len(raw)
    line_ends = np.flatnonzero(data == _LINE_END)
    quotes = np.flatnonzero(data == _QUOTE)
    found = np.flatnonzero(data == ord(delimiter))
    delimiters = _unquoted(data, ord(delimiter), found, line_ends, quotes) if quotes.size else found
    if delimiters is None:
        return None
    row_ends = line_ends if raw.endswith(b"\n") else np.append(line_ends, size)
    rows = len(row_ends)
    if width < 2 or len(delimiters) != rows * (width - 1):
        return None
    per_row = delimiters.reshape(rows, width - 1)
    row_starts = np.concatenate(([0], row_ends[:-1] + 1))
    if (per_row[:, 0] < row_starts).any() or (per_row[:, -1] > row_ends).any():
        return None  # a line of another width (a blank line has none)
    if quotes.size and not _quotes_in_quotable_fields(quotes, delimiters, row_ends, quotable):
        return None
    marked = data.copy()
    marked[per_row[:, list(ends[:-1])].ravel()] = separator[0]
    marked[line_ends] = separator[0]
    parts = marked.tobytes().decode("utf-8").split(separator.decode("ascii"))
    if raw.endswith(b"\n"):
        parts.pop()
    count = len(ends)
    return [parts[index::count] for index in range(count)]


def _unquoted(
    data: np.ndarray,
    delimiter: int,
    delimiters: np.ndarray,
    line_ends: np.ndarray,
    quotes: np.ndarray,
) -> np.ndarray | None:
    """The delimiters outside quoted fields, or None when a quote is not where RFC 4180 puts
    one or a quoted field holds a line end.

    Quotes pair up in order, an opening one then its closing one. An opening quote starts a
    field (after a delimiter, a line end or nothing) or is the second of a doubled quote; a
    closing one ends a field (before a delimiter, a line end or nothing) or is the first of a
    doubled quote."""
    if quotes.size % 2:
        return None
    size = len(data)
    opening, closing = quotes[0::2], quotes[1::2]
    before = np.where(opening > 0, data[np.maximum(opening - 1, 0)], _LINE_END)
    after = np.where(closing < size - 1, data[np.minimum(closing + 1, size - 1)], _LINE_END)
    bounds = (delimiter, _LINE_END, _QUOTE)
    if not (np.isin(before, bounds).all() and np.isin(after, bounds).all()):
        return None
    spans_lines = np.searchsorted(line_ends, opening) != np.searchsorted(line_ends, closing)
    if spans_lines.any():
        return None
    first = np.searchsorted(delimiters, opening)
    last = np.searchsorted(delimiters, closing)
    marks = np.bincount(first, minlength=delimiters.size + 1)
    marks -= np.bincount(last, minlength=delimiters.size + 1)
    inside = np.cumsum(marks[:-1]) > 0
    return delimiters[~inside]


def _quotes_in_quotable_fields(
    quotes: np.ndarray, delimiters: np.ndarray, row_ends: np.ndarray, quotable: Sequence[bool]
) -> bool:
    width = len(quotable)
    rows_of = np.searchsorted(row_ends, quotes)
    fields_of = np.searchsorted(delimiters, quotes) - rows_of * (width - 1)
    return bool(np.asarray(quotable, dtype=bool)[fields_of].all())
