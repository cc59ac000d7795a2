"""Turn one `TextChunk` into checked columns: the original text of every field, and floats for
the model's numeric columns.

Plain chunks (no quote character) are split with `str.split` and their numbers parsed by pandas'
C parser; chunks with quotes go through the `csv` module, which also tells the physical line of
records with embedded newlines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat

import numpy as np
import pandas as pd

from batchscore_model.chunks import TextChunk
from batchscore_model.contract import MISSING_TOKENS, Finding, RowContract
from batchscore_model.csvcheck import MAX_FIELD_CHARS, csv_error, is_blank, records, split_lines
from batchscore_model.errors import InputRejected, Problem, problem
from batchscore_model.record_cut import cut_segments
from batchscore_model.schema import ModelInfo
from batchscore_model.xlsx_cells import INVALID_XML

# The vectorised readers (`_parse_segments`); tests turn them off to compare with the
# record-by-record reader they stand in for.
FAST_PATHS = True


@dataclass(frozen=True)
class Layout:
    """How the file's columns meet the model's: fixed once the header is read."""

    header: list[str]
    delimiter: str
    info: ModelInfo

    @cached_property
    def numeric(self) -> list[str]:
        present = set(self.header)
        return [c.name for c in self.info.columns if c.dtype != "category" and c.name in present]

    @cached_property
    def numeric_set(self) -> frozenset[str]:
        return frozenset(self.numeric)

    @cached_property
    def categories(self) -> list[str]:
        present = set(self.header)
        return [c.name for c in self.info.columns if c.dtype == "category" and c.name in present]

    @cached_property
    def contract(self) -> RowContract:
        return RowContract(self.info)

    @cached_property
    def segments(self) -> list[tuple[int, int]]:
        """The header cut into `[start, stop)` spans: runs of model numeric columns, and every
        other column on its own."""
        spans: list[tuple[int, int]] = []
        after_number = False
        for index, name in enumerate(self.header):
            numeric = name in self.numeric_set
            if numeric and after_number:
                spans[-1] = (spans[-1][0], index + 1)
            else:
                spans.append((index, index + 1))
            after_number = numeric
        return spans

    @cached_property
    def segmented(self) -> bool:
        """Whether the vectorised reader cuts the lines into segments: with text and numbers
        side by side."""
        texts = len(self.header) - len(self.numeric)
        return bool(self.numeric) and texts > 0 and len(self.header) >= 2

    @cached_property
    def segment_ends(self) -> list[int]:
        return [stop - 1 for _, stop in self.segments]

    @cached_property
    def quotable(self) -> list[bool]:
        """Per field, whether it may be quoted for the vectorised reader: text fields only."""
        return [name not in self.numeric_set for name in self.header]


@dataclass
class ParsedChunk:
    fields: Fields  # the good rows' fields as written
    numbers: dict[str, np.ndarray]  # the good rows' schema numbers (NaN = missing), by column
    features: pd.DataFrame  # the good rows, model columns in model order
    rows_read: int  # records that are not blank, good or bad
    bad_rows: int
    problems: list[Problem] = field(default_factory=list)
    problem_code: str | None = None  # the first problem's code, for a job-level rejection
    numeral_text: str | None = None  # the rows' lines, when every field is a plain numeral
    warnings: list[Problem] = field(default_factory=list)  # scored anyway; at most the room
    warnings_total: int = 0

    @property
    def rows(self) -> int:
        return len(self.features)

    @property
    def texts(self) -> list[Sequence[str]]:
        return self.fields.columns

    def numeral_runs(self, layout: Layout) -> dict[int, tuple[int, str]]:
        """Runs of numeric columns whose every field is a plain numeral, present: by first
        column, `(stop, lines)` with the run's fields as written, one line per row."""
        runs: dict[int, tuple[int, str]] = {}
        if self.fields.runs is None or not self.rows:
            return runs
        for start, (stop, rows) in self.fields.runs.items():
            names = layout.header[start:stop]
            if any(bool(np.isnan(self.numbers[name]).any()) for name in names):
                continue
            text = "\n".join(rows)
            if _only_numeral_chars(text, layout.delimiter):
                runs[start] = (stop, text)
        return runs


class Fields:
    """The fields of a chunk's rows as written, one sequence per column, split on first use.

    Or, from the vectorised reader, by segment (`Layout.segments`): `texts` holds the text
    columns, `runs` the numeric runs as `start -> (stop, rows)` with each row's fields of the
    run as written (delimiters included); a run is split into columns only when asked.
    """

    def __init__(
        self,
        width: int,
        *,
        rows: list[str] | None = None,
        delimiter: str = ",",
        columns: list[Sequence[str]] | None = None,
        texts: dict[int, Sequence[str]] | None = None,
        runs: dict[int, tuple[int, list[str]]] | None = None,
    ) -> None:
        self._width = width
        self._rows = rows or []
        self._delimiter = delimiter
        self._texts = texts
        self.runs = runs
        if columns is not None:
            self.__dict__["columns"] = columns

    @cached_property
    def columns(self) -> list[Sequence[str]]:
        if self.runs is not None and self._texts is not None:
            return [self.column(index) for index in range(self._width)]
        if not self._rows:
            return [() for _ in range(self._width)]
        return list(zip(*[row.split(self._delimiter) for row in self._rows], strict=True))

    def column(self, index: int) -> Sequence[str]:
        if self.runs is None or self._texts is None:
            return self.columns[index]
        if index in self._texts:
            return self._texts[index]
        split = self._split_runs
        if index not in split:
            start = max(start for start in self.runs if start <= index)
            stop, rows = self.runs[start]
            if stop - start == 1:
                split[start] = rows
            else:
                parts = [row.split(self._delimiter) for row in rows]
                columns = list(zip(*parts, strict=True)) if parts else [()] * (stop - start)
                split.update(zip(range(start, stop), columns, strict=True))
        return split[index]

    @cached_property
    def _split_runs(self) -> dict[int, Sequence[str]]:
        return {}

    def keep(self, mask: list[bool]) -> Fields:
        kept = [[v for v, ok in zip(column, mask, strict=True) if ok] for column in self.columns]
        return Fields(self._width, columns=list(kept))


def parse_chunk(chunk: TextChunk, layout: Layout, *, warnings_room: int = 0) -> ParsedChunk:
    """The chunk's rows against the row contract; at most `warnings_room` warnings listed."""
    segmented = _parse_segments(chunk, layout) if FAST_PATHS else None
    if segmented is not None:
        fields, numbers_raw, lines = segmented
        problems: list[Problem] = []
        plain_text = None
    elif '"' in chunk.text:
        fields, numbers_raw, lines, problems = _parse_quoted(chunk, layout)
        plain_text = None
    else:
        fields, numbers_raw, lines, problems, plain_text = _parse_plain(chunk, layout)
    ragged = len(problems)  # so far only rows with the wrong number of fields
    count = len(lines)
    raw: dict[str, np.ndarray | Sequence[str]] = dict(numbers_raw)
    for name in layout.categories:
        raw[name] = fields.column(layout.header.index(name))
    checked = layout.contract.check(
        raw, count, room=warnings_room, texts=lambda name: fields.column(layout.header.index(name))
    )
    problems += [_at(finding, lines) for finding in checked.problems]
    problems.sort(key=lambda item: item["line"] or 0)
    code = "wrong_field_count" if ragged else checked.code
    warnings = [_at(finding, lines) for finding in checked.warnings]
    warnings_total = checked.warnings_total
    numbers, features, bad = checked.numbers, checked.features, checked.bad
    any_missing = any(bool(np.isnan(values).any()) for values in numbers.values())
    if bad.any():
        keep = ~bad
        fields = fields.keep(keep.tolist())
        numbers = {name: values[keep] for name, values in numbers.items()}
        features = features[keep].reset_index(drop=True)
        lines = lines[keep]
    replaced = _invalid_characters(fields, layout, lines, max(warnings_room - len(warnings), 0))
    warnings += replaced[1]
    warnings_total += replaced[0]
    numeral = (
        plain_text is not None
        and not problems
        and not any_missing
        and len(layout.numeric) == len(layout.header)
        and _only_numeral_chars(plain_text, layout.delimiter)
    )
    return ParsedChunk(
        fields=fields,
        numbers=numbers,
        features=features,
        rows_read=count + ragged,
        bad_rows=int(bad.sum()) + ragged,
        problems=problems,
        problem_code=code,
        numeral_text=plain_text if numeral else None,
        warnings=warnings,
        warnings_total=warnings_total,
    )


def _at(finding: Finding, lines: np.ndarray) -> Problem:
    line = int(lines[finding.index])
    message = f"line {line}, column {finding.column!r}: {finding.reason}"
    return problem(message, line=line, column=finding.column)


def _invalid_characters(
    fields: Fields, layout: Layout, lines: np.ndarray, room: int
) -> tuple[int, list[Problem]]:
    """Text cells with characters XML cannot carry: written as U+FFFD, and said so."""
    total = 0
    listed: list[Problem] = []
    for index, name in enumerate(layout.header):
        if name in layout.numeric_set:
            continue
        column = fields.column(index)
        if not INVALID_XML.search("".join(column)):
            continue
        for row, value in enumerate(column):
            found = INVALID_XML.search(value)
            if found is None:
                continue
            total += 1
            if len(listed) < room:
                listed.append(invalid_character(found.group(), name, int(lines[row])))
    return total, listed


def invalid_character(character: str, column: str, line: int) -> Problem:
    message = (
        f"line {line}, column {column!r}: U+{ord(character):04X} cannot be stored in a"
        " workbook; written as U+FFFD"
    )
    return problem(message, line=line, column=column)


_NUMERAL_BYTES = b"0123456789.-+eE\n"


def _only_numeral_chars(text: str, delimiter: str) -> bool:
    if not text.isascii():
        return False
    return not text.encode("ascii").translate(None, _NUMERAL_BYTES + delimiter.encode("ascii"))


def _ragged(line: int, count: int, expected: int) -> Problem:
    return problem(f"line {line}: {count} fields, expected {expected}", line=line)


_Raw = dict[str, np.ndarray | Sequence[str]]


def _parse_plain(
    chunk: TextChunk, layout: Layout
) -> tuple[Fields, _Raw, np.ndarray, list[Problem], str | None]:
    text = chunk.text
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            line = chunk.first_line + text.count("\n", 0, text.index("\r"))
            raise _lone_cr(line)
    if text.endswith("\n"):
        text = text[:-1]
    rows = text.split("\n")
    delimiter = layout.delimiter
    expected = len(layout.header) - 1
    count = len(rows)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=count)
    if count and int(lengths.max()) > MAX_FIELD_CHARS:
        _check_field_lengths(rows, lengths, delimiter, chunk.first_line)
    separators = np.fromiter(map(str.count, rows, repeat(delimiter)), dtype=np.int64, count=count)
    # A row shorter than one character per field may be blank (only delimiters and spaces).
    short = np.flatnonzero(lengths < 2 * expected + 1).tolist()
    empty = delimiter + " \t\r"
    blank = [i for i in short if not rows[i].strip(empty)]
    odd = sorted(set(np.flatnonzero(separators != expected).tolist()) | set(blank))
    problems: list[Problem] = []
    lines = np.arange(len(rows), dtype=np.int64)
    if odd:
        for i in odd:
            if rows[i].strip(empty):
                fields_here = int(separators[i]) + 1
                problems.append(_ragged(chunk.first_line + i, fields_here, expected + 1))
        odd_set = set(odd)
        lines = np.array([i for i in range(len(rows)) if i not in odd_set], dtype=np.int64)
        rows = [rows[i] for i in lines]
        text = "\n".join(rows)
    fields = Fields(len(layout.header), rows=rows, delimiter=delimiter)
    numbers: _Raw = {}
    if rows and layout.numeric:
        frame = _read_numeric(text, layout, quoted=False, skip_blank_lines=False)
        numbers = {name: frame[name].to_numpy() for name in layout.numeric}
    else:
        numbers = {name: () for name in layout.numeric}
    return fields, numbers, lines + chunk.first_line, problems, None if odd else text


def _read_numeric(
    text: str | bytes, layout: Layout, *, quoted: bool, skip_blank_lines: bool
) -> pd.DataFrame:
    """The numeric columns of a chunk's records, read by pandas' C reader; with `quoted`, a
    field may be in double quotes (doubled inside it), else a quote is a character like any."""
    return pd.read_csv(
        io.BytesIO(text) if isinstance(text, bytes) else io.StringIO(text),
        sep=layout.delimiter,
        header=None,
        names=layout.header,
        usecols=layout.numeric,
        index_col=False,
        keep_default_na=False,
        na_values=list(MISSING_TOKENS),
        skip_blank_lines=skip_blank_lines,
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
        quotechar='"',
        doublequote=True,
        engine="c",
    )


def _check_field_lengths(
    rows: list[str], lengths: np.ndarray, delimiter: str, first_line: int
) -> None:
    for index in np.flatnonzero(lengths > MAX_FIELD_CHARS).tolist():
        if max(map(len, rows[index].split(delimiter))) > MAX_FIELD_CHARS:
            raise csv_error(csv.Error("field larger than field limit"), first_line + index)


def _lone_cr(line: int) -> InputRejected:
    return csv_error(csv.Error("new-line character seen in unquoted field"), line)


def _parse_segments(chunk: TextChunk, layout: Layout) -> tuple[Fields, _Raw, np.ndarray] | None:
    """Every record whole on one line, text and numbers side by side: the rows at C speed.

    `record_cut` cuts each line into its text fields and its runs of numeric columns with numpy,
    so no per-field Python runs: a run stays one string per row (the writer spells it with one
    `str.replace`), a quoted column is unquoted in one pass over the joined column. Anything the
    record reader would see differently is None, and it reads the chunk: a line of another
    shape (ragged, a quote inside a bare field, a line end inside quotes), CR, a first field
    that is empty or blank (a row that may be blank), a field over the field limit, or numbers
    pandas does not find in the same rows.
    """
    if not layout.segmented:
        return None
    text = chunk.text
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    raw = text.encode("utf-8")
    groups = cut_segments(raw, layout.delimiter, layout.segment_ends, layout.quotable)
    if groups is None:
        return None
    count = len(groups[0])
    if any(max(map(len, group)) > MAX_FIELD_CHARS for group in groups):
        return None
    texts: dict[int, Sequence[str]] = {}
    runs: dict[int, tuple[int, list[str]]] = {}
    for (start, stop), group in zip(layout.segments, groups, strict=True):
        if layout.header[start] in layout.numeric_set:
            runs[start] = (stop, group)
        else:
            texts[start] = _unquoted(group)
    delimiter = layout.delimiter
    firsts = texts[0] if 0 in texts else [row.partition(delimiter)[0] for row in runs[0][1]]
    if "" in firsts or any(map(str.isspace, firsts)):
        return None
    numbers = _numbers_by_pandas(raw, layout, count)
    if numbers is None:
        return None
    fields = Fields(len(layout.header), delimiter=delimiter, texts=texts, runs=runs)
    lines = np.arange(chunk.first_line, chunk.first_line + count, dtype=np.int64)
    return fields, numbers, lines


def _unquoted(group: list[str]) -> list[str]:
    """A column's fields as the csv module reads them: quotes taken off, `""` made `"`.

    Only quoted fields hold a quote and none holds a line end, so in the column joined by line
    ends a quote after a line end opens a field and one before a line end closes it."""
    joined = "\n".join(group)
    if '"' not in joined:
        return group
    joined = ("\n" + joined + "\n").replace('\n"', "\n").replace('"\n', "\n")
    return joined[1:-1].replace('""', '"').split("\n")


def _parse_quoted(
    chunk: TextChunk, layout: Layout
) -> tuple[Fields, _Raw, np.ndarray, list[Problem]]:
    problems: list[Problem] = []
    fast = _quoted_one_line_per_record(chunk, layout)
    if fast is not None:
        kept, lines = fast
    else:
        kept, lines, problems = _records_by_line(chunk, layout)
    columns: list[Sequence[str]] = (
        list(zip(*kept, strict=True)) if kept else [() for _ in layout.header]
    )
    fields = Fields(len(layout.header), columns=columns)
    numbers: _Raw = {name: columns[layout.header.index(name)] for name in layout.numeric}
    parsed = _numbers_by_pandas(chunk.text, layout, len(kept)) if kept and not problems else None
    return fields, parsed or numbers, np.asarray(lines, dtype=np.int64), problems


def _records_by_line(
    chunk: TextChunk, layout: Layout
) -> tuple[list[list[str]], list[int], list[Problem]]:
    """Record by record, with the physical line each starts on; ragged rows are problems."""
    reader = records(split_lines(chunk.text), layout.delimiter)
    expected = len(layout.header)
    kept: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    previous = 0
    try:
        for row in reader:
            line = chunk.first_line + previous
            previous = reader.line_num
            if len(row) != expected:
                if not is_blank(row):
                    problems.append(_ragged(line, len(row), expected))
                continue
            if not row[0].strip() and is_blank(row):
                continue
            kept.append(row)
            lines.append(line)
    except csv.Error as exc:
        raise csv_error(exc, chunk.first_line + previous) from exc
    return kept, lines, problems


def _quoted_one_line_per_record(
    chunk: TextChunk, layout: Layout
) -> tuple[list[list[str]], list[int]] | None:
    """Every record whole on its own line, of the right width, none blank: the rows at C speed.

    Anything else (newlines inside quotes, ragged or blank rows, parser errors) is None, and the
    record-by-record reader tells the lines.
    """
    text = chunk.text
    reader = records(split_lines(text), layout.delimiter)
    try:
        rows = list(reader)
    except csv.Error:
        return None
    newlines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if len(rows) != newlines or set(map(len, rows)) != {len(layout.header)}:
        return None
    firsts = [row[0] for row in rows]
    if "" in firsts or any(map(str.isspace, firsts)):
        return None
    return rows, list(range(chunk.first_line, chunk.first_line + len(rows)))


def _numbers_by_pandas(text: str | bytes, layout: Layout, records: int) -> _Raw | None:
    """The numeric columns parsed by pandas' C reader, when it finds the same records."""
    if not layout.numeric:
        return None
    try:
        frame = _read_numeric(text, layout, quoted=True, skip_blank_lines=True)
    except (ValueError, pd.errors.ParserError):
        return None
    if len(frame) != records:
        return None
    return {name: frame[name].to_numpy() for name in layout.numeric}
