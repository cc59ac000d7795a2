"""CSV dialect, header and decoding rules, shared by the upload pre-check and the engine.

Light module: stdlib only (the upload function imports it without pandas).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from batchscore_model.errors import InputRejected, Problem, problem

if TYPE_CHECKING:
    from _csv import Reader

BOM = codecs.BOM_UTF8
# Bounded work per byte: each limit rejects with a reason before the work it would cost.
MAX_RECORD_CHARS = 8 << 20  # one record (a row, quoted newlines included)
MAX_FIELD_CHARS = 131_072  # one field (Python's csv limit; a cell keeps 32,767 of them)
MAX_COLUMNS = 16_384  # Excel's last column, XFD, outputs included
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvShape:
    delimiter: str
    columns: list[str]
    encoding: str


def encoding_of(head: bytes) -> str:
    return "utf-8-sig" if head.startswith(BOM) else "utf-8"


def split_lines(text: str) -> list[str]:
    """Split on `\\n` only, keeping the ends (`str.splitlines` also splits on form feeds etc.)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def undecodable(
    data: bytes, error: UnicodeDecodeError, *, line_offset: int = 0, header: list[str] | None = None
) -> InputRejected:
    """Name the line and, when the header is known or in `data`, the column of the first bad byte."""
    before = data[: error.start]
    line = line_offset + before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    prefix = before[line_start:].decode("utf-8", errors="replace")
    if header is None and line_offset == 0 and line > 1:
        first = before[: before.find(b"\n")].decode("utf-8-sig", errors="replace")
        header = clean_header(next(records([first], sniff_delimiter(first)), []))
    column: str | None = None
    if header:
        index = max(prefix.count(delimiter) for delimiter in DELIMITERS)
        column = header[index] if index < len(header) else None
    character = len(prefix) + 1
    message = (
        f"line {line}, character {character}: byte 0x{data[error.start]:02x} is not valid UTF-8;"
        " save the file as UTF-8"
    )
    return InputRejected("undecodable", message, [problem(message, line=line, column=column)])


def decode_head(head: bytes, *, complete: bool) -> str:
    """Decode the first bytes of a file; an incomplete character at a cut end is dropped."""
    decoder = codecs.getincrementaldecoder(encoding_of(head))()
    try:
        return str(decoder.decode(head, final=complete))
    except UnicodeDecodeError as exc:
        raise undecodable(head, exc) from exc


def sniff_delimiter(text: str) -> str:
    """The candidate seen most often outside quotes on the first non-blank line; comma on a tie."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text.lstrip("\r\n"):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def line_ending_problem(text: str) -> InputRejected | None:
    """Lines that end in CR alone (classic Mac OS): refused, since no line would be found."""
    first_cr = text.find("\r")
    if first_cr < 0 or text.startswith("\n", first_cr + 1) or "\n" in text[:first_cr]:
        return None
    message = "line 1: lines end in CR alone; save the file with LF or CRLF line ends"
    return InputRejected("bad_line_ends", message, [problem(message, line=1)])


def csv_error(error: csv.Error, line: int, header: list[str] | None = None) -> InputRejected:
    """A typed rejection for what Python's csv parser refuses, at the record's line."""
    text = str(error)
    if "field larger than field limit" in text:
        message = f"line {line}: a field is longer than {MAX_FIELD_CHARS:,} characters"
        return InputRejected("field_too_long", message, [problem(message, line=line)])
    if "new-line character" in text:
        message = f"line {line}: a CR alone inside a field that is not quoted"
        return InputRejected("bad_line_ends", message, [problem(message, line=line)])
    message = f"line {line}: not readable as CSV"
    return InputRejected("bad_csv", message, [problem(message, line=line)])


def records(lines: Iterable[str], delimiter: str) -> Reader:
    """One parser configuration for everybody: RFC 4180 quoting, embedded newlines, CRLF."""
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)


def is_blank(row: list[str]) -> bool:
    return not any(field.strip() for field in row)


def header_problems(
    columns: list[str], required: list[str], *, line: int = 1, max_columns: int = MAX_COLUMNS
) -> InputRejected | None:
    """Too many columns, duplicate names, then every missing required column."""
    if len(columns) > max_columns:
        message = (
            f"line {line}: {len(columns):,} columns, more than the {max_columns:,} a sheet"
            " can hold beside the predictions"
        )
        return InputRejected("too_many_columns", message, [problem(message, line=line)])
    seen: set[str] = set()
    duplicates: list[str] = []
    for name in columns:
        if name in seen:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        details: list[Problem] = [
            problem(f"column {name!r} appears more than once in the header", line=line, column=name)
            for name in dict.fromkeys(duplicates)
        ]
        names = ", ".join(repr(name) for name in dict.fromkeys(duplicates))
        return InputRejected("duplicate_columns", f"duplicate column names: {names}", details)
    present = set(columns)
    missing = [name for name in required if name not in present]
    if missing:
        details = [
            problem(f"required column {name!r} is missing from the header", line=line, column=name)
            for name in missing
        ]
        names = ", ".join(repr(name) for name in missing)
        return InputRejected(
            "missing_columns", f"{len(missing)} required column(s) missing: {names}", details
        )
    return None


def clean_header(row: list[str]) -> list[str]:
    return [name.strip() for name in row]


_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\ufeff": " "})


def fold_name(name: str) -> str:
    """A header name as matched to the schema: non-breaking spaces as spaces, trimmed, any case."""
    return name.translate(_SPACES).strip().casefold()


@dataclass(frozen=True)
class HeaderMatch:
    """The file's columns under the names the model reads; `matches` lists each name changed:
    (as written, schema name, why: "column_map" or "case/spaces")."""

    names: list[str]
    matches: list[tuple[str, str, str]]
    written: list[str]  # trimmed, as in the file (the workbook keeps these)


def match_header(
    written: list[str],
    schema_names: Sequence[str],
    column_map: Mapping[str, str] | None = None,
    *,
    line: int = 1,
) -> HeaderMatch:
    """Each column's schema name: by `column_map` (their name → schema name), exactly, or by
    `fold_name`; other columns keep their (trimmed) name. Two columns on one schema name are
    refused, naming both."""
    schema = set(schema_names)
    folded: dict[str, str | None] = {}
    for name in schema_names:
        key = fold_name(name)
        folded[key] = None if key in folded else name  # a fold two schema names share: exact only
    mapping = {fold_name(theirs): target for theirs, target in (column_map or {}).items()}
    unknown = sorted({t for t in mapping.values() if t not in schema})
    if unknown:
        message = "column_map names columns the model does not have: " + ", ".join(
            map(repr, unknown)
        )
        raise InputRejected("bad_column_map", message, [problem(message, column=unknown[0])])
    names: list[str] = []
    matches: list[tuple[str, str, str]] = []
    for raw in written:
        name = raw.strip()
        target = mapping.get(fold_name(raw))
        if target is not None:
            if target != name:
                matches.append((name, target, "column_map"))
        elif name in schema:
            target = name
        elif folded.get(fold_name(raw)):
            target = folded[fold_name(raw)]
            assert target is not None
            matches.append((name, target, "case/spaces"))
        names.append(target or name)
    _refuse_ambiguity(written, names, schema, line)
    return HeaderMatch(names=names, matches=matches, written=clean_header(written))


def _refuse_ambiguity(written: list[str], names: list[str], schema: set[str], line: int) -> None:
    claims: dict[str, list[str]] = {}
    for raw, name in zip(written, names, strict=True):
        if name in schema:
            claims.setdefault(name, []).append(raw.strip())
    # The same name twice is a duplicate (header_problems says so), not an ambiguity.
    clashes = {name: found for name, found in claims.items() if len(set(found)) > 1}
    if not clashes:
        return
    details: list[Problem] = []
    for name, found in clashes.items():
        both = " and ".join(repr(column) for column in found)
        details.append(
            problem(
                f"columns {both} both match the model's column {name!r}", line=line, column=name
            )
        )
    message = details[0]["message"] + (
        "" if len(details) == 1 else f" (and {len(details) - 1} more)"
    )
    raise InputRejected(
        "ambiguous_columns", message + "; rename one, or map them with column_map", details
    )


def _matched(
    row: list[str],
    column_names: Sequence[str],
    column_map: Mapping[str, str] | None,
    line: int,
    filename: str,
) -> list[str]:
    if not column_names:
        return clean_header(row)
    try:
        return match_header(row, column_names, column_map, line=line).names
    except InputRejected as exc:
        exc.message = f"{filename}: {exc.message}"
        raise


def precheck(
    head: bytes,
    *,
    total_size: int,
    max_bytes: int,
    required_columns: list[str],
    filename: str,
    column_names: Sequence[str] = (),
    column_map: Mapping[str, str] | None = None,
) -> CsvShape:
    """Cheap checks on the first bytes of an upload; raises `InputRejected`."""
    if total_size > max_bytes:
        message = f"{filename}: {total_size} bytes is over the {max_bytes}-byte limit"
        raise InputRejected("too_large", message, [problem(message)])
    body = head[len(BOM) :] if head.startswith(BOM) else head
    if total_size == 0 or not body.strip():
        raise InputRejected("empty_file", f"{filename}: the file is empty", [problem("empty file")])
    text = decode_head(head, complete=len(head) >= total_size)
    bad_ends = line_ending_problem(text)
    if bad_ends:
        bad_ends.message = f"{filename}: {bad_ends.message}"
        raise bad_ends
    delimiter = sniff_delimiter(text)
    reader = records(split_lines(text), delimiter)
    header: list[str] | None = None
    header_line = 1
    has_rows = False
    try:
        for row in reader:
            if is_blank(row):
                continue
            if header is None:
                header = _matched(row, column_names, column_map, reader.line_num, filename)
                header_line = reader.line_num
                continue
            has_rows = True
            break
    except csv.Error as exc:
        unreadable = csv_error(exc, reader.line_num)
        unreadable.message = f"{filename}: {unreadable.message}"
        raise unreadable from exc
    if header is None:  # only rows of delimiters and spaces
        if len(head) >= total_size:
            raise InputRejected(
                "empty_file", f"{filename}: the file is empty", [problem("empty file")]
            )
        return CsvShape(delimiter=delimiter, columns=[], encoding=encoding_of(head))
    rejected = header_problems(header, required_columns, line=header_line)
    if rejected:
        rejected.message = f"{filename}: {rejected.message}"
        raise rejected
    if not has_rows and len(head) >= total_size:
        message = f"{filename}: the file has a header but no data rows"
        raise InputRejected("header_only", message, [problem(message, line=header_line + 1)])
    return CsvShape(delimiter=delimiter, columns=header, encoding=encoding_of(head))
