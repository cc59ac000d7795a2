"""Turn one `TextChunk` into checked columns: the original text of every field, and floats for
the model's numeric columns.

Plain chunks (no quote character) are split with `str.split` and their numbers parsed by pandas'
C parser; chunks with quotes go through the `csv` module, which also tells the physical line of
records with embedded newlines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import repeat

import numpy as np
import pandas as pd

from batchscore_model.chunks import TextChunk
from batchscore_model.csvcheck import MAX_FIELD_CHARS, csv_error, is_blank, records, split_lines
from batchscore_model.errors import InputRejected, Problem, problem
from batchscore_model.schema import ModelInfo

# Given to the model as a missing value and written as an empty cell (see the README policy).
MISSING_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "None", "none")


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

    @property
    def rows(self) -> int:
        return len(self.features)

    @property
    def texts(self) -> list[Sequence[str]]:
        return self.fields.columns


class Fields:
    """The fields of a chunk's rows as written, one sequence per column, split on first use."""

    def __init__(
        self,
        width: int,
        *,
        rows: list[str] | None = None,
        delimiter: str = ",",
        columns: list[Sequence[str]] | None = None,
    ) -> None:
        self._width = width
        self._rows = rows or []
        self._delimiter = delimiter
        if columns is not None:
            self.__dict__["columns"] = columns

    @cached_property
    def columns(self) -> list[Sequence[str]]:
        if not self._rows:
            return [() for _ in range(self._width)]
        return list(zip(*[row.split(self._delimiter) for row in self._rows], strict=True))

    def column(self, index: int) -> Sequence[str]:
        return self.columns[index]

    def keep(self, mask: list[bool]) -> Fields:
        kept = [[v for v, ok in zip(column, mask, strict=True) if ok] for column in self.columns]
        return Fields(self._width, columns=list(kept))


def parse_chunk(chunk: TextChunk, layout: Layout) -> ParsedChunk:
    if '"' in chunk.text:
        fields, numbers_raw, lines, problems = _parse_quoted(chunk, layout)
        plain_text = None
    else:
        fields, numbers_raw, lines, problems, plain_text = _parse_plain(chunk, layout)
    ragged = len(problems)  # so far only rows with the wrong number of fields
    code = "wrong_field_count" if problems else None
    count = len(lines)
    bad = np.zeros(count, dtype=bool)
    numbers: dict[str, np.ndarray] = {}
    any_missing = False
    for name in layout.numeric:
        column = layout.header.index(name)
        values, invalid = _to_numbers(numbers_raw[name], partial(fields.column, column))
        for index in np.flatnonzero(invalid):
            value = fields.columns[column][int(index)]
            message = f"line {lines[index]}, column {name!r}: {value!r} is not a number"
            problems.append(problem(message, line=int(lines[index]), column=name))
        code = code or ("bad_value" if invalid.any() else None)
        bad |= invalid
        numbers[name] = values
        any_missing = any_missing or bool(np.isnan(values).any())
    features = _features(numbers, fields, count, layout)
    if not layout.info.accepts_missing:
        missing = features.isna().to_numpy() & ~bad[:, None]
        for row, col in zip(*np.nonzero(missing), strict=True):
            name = layout.info.feature_names[col]
            message = f"line {lines[row]}, column {name!r}: a value is required"
            problems.append(problem(message, line=int(lines[row]), column=name))
        code = code or ("missing_value" if missing.any() else None)
        bad |= missing.any(axis=1)
    problems.sort(key=lambda item: item["line"] or 0)
    if bad.any():
        keep = ~bad
        fields = fields.keep(keep.tolist())
        numbers = {name: values[keep] for name, values in numbers.items()}
        features = features[keep].reset_index(drop=True)
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
    )


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
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=layout.header,
            usecols=layout.numeric,
            index_col=False,
            keep_default_na=False,
            na_values=list(MISSING_TOKENS),
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
        numbers = {name: frame[name].to_numpy() for name in layout.numeric}
    else:
        numbers = {name: () for name in layout.numeric}
    return fields, numbers, lines + chunk.first_line, problems, None if odd else text


def _check_field_lengths(
    rows: list[str], lengths: np.ndarray, delimiter: str, first_line: int
) -> None:
    for index in np.flatnonzero(lengths > MAX_FIELD_CHARS).tolist():
        if max(map(len, rows[index].split(delimiter))) > MAX_FIELD_CHARS:
            raise csv_error(csv.Error("field larger than field limit"), first_line + index)


def _lone_cr(line: int) -> InputRejected:
    return csv_error(csv.Error("new-line character seen in unquoted field"), line)


def _parse_quoted(
    chunk: TextChunk, layout: Layout
) -> tuple[Fields, _Raw, np.ndarray, list[Problem]]:
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
    columns: list[Sequence[str]] = (
        list(zip(*kept, strict=True)) if kept else [() for _ in layout.header]
    )
    fields = Fields(len(layout.header), columns=columns)
    numbers: _Raw = {name: columns[layout.header.index(name)] for name in layout.numeric}
    return fields, numbers, np.asarray(lines, dtype=np.int64), problems


def _to_numbers(
    raw: np.ndarray | Sequence[str], texts: Callable[[], Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 values (NaN = missing) and a mask of the cells that are not finite numbers."""
    if isinstance(raw, np.ndarray) and raw.dtype.kind in "fiu":
        values = raw.astype(np.float64, copy=False)
        return values, np.isinf(values)
    try:
        parsed = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
        values = parsed.to_numpy(dtype=np.float64, copy=True)
    except OverflowError:  # an integer past float's range: not a finite number, like 1e999
        values = np.array([_float_or_nan(value) for value in raw], dtype=np.float64)
    suspect = np.isnan(values) | np.isinf(values)
    if suspect.any():
        positions = np.flatnonzero(suspect)
        written = texts()
        missing = np.array(
            [written[int(i)].strip() in MISSING_TOKENS for i in positions], dtype=np.bool_
        )
        suspect[positions[missing]] = False
        values[np.isinf(values)] = np.nan
    return values, suspect


def _float_or_nan(value: str) -> float:
    try:
        return float(value)
    except (ValueError, OverflowError):
        return float("nan") if value.strip() in MISSING_TOKENS else float("inf")


def _features(
    numbers: dict[str, np.ndarray], fields: Fields, count: int, layout: Layout
) -> pd.DataFrame:
    columns: dict[str, object] = {}
    for spec in layout.info.columns:
        if spec.name in numbers:
            columns[spec.name] = numbers[spec.name]
        elif spec.name in layout.header:
            texts = fields.columns[layout.header.index(spec.name)]
            columns[spec.name] = [value if value.strip() else None for value in texts]
        else:
            columns[spec.name] = np.full(count, np.nan)
    return pd.DataFrame(columns, index=pd.RangeIndex(count))
