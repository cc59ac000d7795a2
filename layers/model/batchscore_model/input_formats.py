"""Every input kind as the CSV byte stream the engine reads: `.csv` as is, `.csv.gz` through a
bounded streaming decompressor, `.xlsx` (one sheet) re-encoded as CSV row by row.

Light module: stdlib only (the upload function's pre-check uses the zip-level checks). Every
refusal is an `InputRejected` naming the file (and the sheet or cell where it can).
"""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import io
import posixpath
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO, Literal
from xml.etree.ElementTree import Element, ParseError, iterparse

from batchscore_model.cell_refs import column_index, column_letter
from batchscore_model.errors import InputRejected, problem

Kind = Literal["csv", "csv.gz", "xlsx"]
# Longest first: `.csv.gz` before `.csv`.
EXTENSIONS: dict[str, Kind] = {".csv.gz": "csv.gz", ".xlsx": "xlsx", ".csv": "csv"}
CONTENT_TYPES: dict[Kind, str] = {
    "csv": "text/csv",
    "csv.gz": "application/gzip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx

READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a compressed input may expand to before it is refused (bounded work per byte)."""

    max_expanded_bytes: int = 4 << 30  # a .csv.gz's CSV, or all of a workbook's parts
    max_ratio: int = 200  # expanded / compressed, once past `ratio_floor`
    ratio_floor: int = 16 << 20  # small files may compress as well as they like
    max_shared_strings_bytes: int = 64 << 20  # held in memory while the sheet streams
    max_xml_part_bytes: int = 8 << 20  # workbook.xml, styles.xml, rels, content types
    max_members: int = 10_000


DEFAULT_LIMITS = Limits()


def kind_of(filename: str) -> Kind | None:
    """The input kind a file name says, by its extension (any case); None for anything else."""
    lower = filename.lower()
    for extension, kind in EXTENSIONS.items():
        if lower.endswith(extension) and len(lower) > len(extension):
            return kind
    return None


def stem_of(filename: str) -> str:
    """The name without its input extension (the result is `<stem>.xlsx`)."""
    kind = kind_of(filename)
    if kind is None:
        return filename
    return filename[: -len(next(e for e, k in EXTENSIONS.items() if k == kind))]


def _rejected(code: str, message: str, *, cell: str | None = None) -> InputRejected:
    return InputRejected(code, message, [problem(message, column=cell)])


def looks_like(head: bytes) -> str:
    """What the first bytes of a file are, in words, for a refusal."""
    if head.startswith(GZIP_MAGIC):
        return "a gzip file"
    if head.startswith(ZIP_MAGIC):
        return "a zip file"
    if head.startswith(CFB_MAGIC):
        return "an encrypted or legacy (.xls) workbook"
    if head.startswith(b"\x89PNG"):
        return "a PNG image"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    try:
        head[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    return "text (a CSV?)"


def check_magic(head: bytes, kind: Kind, filename: str) -> None:
    """The first bytes must be what the extension promises."""
    if kind == "csv.gz" and not head.startswith(GZIP_MAGIC):
        raise _rejected(
            "not_gzip", f"{filename}: not a gzip file, it looks like {looks_like(head)}"
        )
    if kind == "xlsx":
        if head.startswith(CFB_MAGIC):
            raise _rejected(
                "encrypted_workbook",
                f"{filename}: an encrypted or legacy workbook (password-protected, or .xls);"
                " save it as an .xlsx workbook without a password",
            )
        if not head.startswith(ZIP_MAGIC):
            raise _rejected(
                "not_xlsx", f"{filename}: not an .xlsx workbook, it looks like {looks_like(head)}"
            )


class _Counting(io.RawIOBase):
    """Counts the bytes read from a `.read(n)`-only source: a gzip input's compressed bytes, or
    what a parser took from a workbook's zip member (the sheet's share of the file read)."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


# ----------------------------------------------------------------------------------- gzip


class CsvStream(io.RawIOBase):
    """A CSV byte stream made from another source; `position_fn()` tells progress how far into
    the stored input reading has got (compressed bytes, or the sheet's share of the file)."""

    def __init__(self, pieces: Iterator[bytes], position: Callable[[], int]) -> None:
        self._pieces = pieces
        self._pending = b""
        self.position_fn = position

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._pending = piece
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def gunzip(source: BinaryIO, filename: str, limits: Limits = DEFAULT_LIMITS) -> CsvStream:
    """The CSV inside a `.csv.gz`, decompressed as it is read; refused past the limits."""
    counted = _Counting(source)
    buffered = io.BufferedReader(counted, READ_BYTES)
    check_magic(buffered.peek(8)[:8], "csv.gz", filename)
    return CsvStream(_gunzip_pieces(buffered, counted, filename, limits), lambda: counted.count)


def _gunzip_pieces(
    buffered: IO[bytes], counted: _Counting, filename: str, limits: Limits
) -> Iterator[bytes]:
    expanded = 0
    try:
        with gzip.GzipFile(fileobj=buffered, mode="rb") as inner:
            while piece := inner.read(READ_BYTES):
                expanded += len(piece)
                _check_expansion(expanded, counted.count, filename, limits)
                yield piece
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        reason = "it ends early" if isinstance(exc, EOFError) else "it is damaged"
        raise _rejected("bad_gzip", f"{filename}: not a readable gzip file ({reason})") from exc


def _check_expansion(expanded: int, compressed: int, filename: str, limits: Limits) -> None:
    if expanded > limits.max_expanded_bytes:
        raise _rejected(
            "decompressed_too_large",
            f"{filename}: expands to more than {limits.max_expanded_bytes:,} bytes",
        )
    if expanded > limits.ratio_floor and expanded > limits.max_ratio * max(compressed, 1):
        raise _rejected(
            "compression_bomb",
            f"{filename}: expands more than {limits.max_ratio}-fold; a real CSV does not",
        )


# ----------------------------------------------------------------------------------- xlsx

_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_TYPES = ("macroEnabled", "vbaProject", "ms-office.activeX")
_REL_SHARED = "/sharedStrings"
_REL_STYLES = "/styles"
# Built-in number formats that show a date or a time (ECMA-376 18.8.30, and the East Asian ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_MAX_COLUMN = 16_384


@dataclass
class Workbook:
    """What the checks found in a workbook's zip: its sheets and where their parts are."""

    sheets: dict[str, str]  # name -> member path, in workbook order
    shared_strings: str | None
    styles: str | None
    date1904: bool = False
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)


def check_zip(archive: zipfile.ZipFile, filename: str, limits: Limits = DEFAULT_LIMITS) -> Workbook:
    """Refuse what is not a plain `.xlsx` before any sheet is parsed: a zip of something else,
    macros, encryption, a zip bomb; then read where the sheets are."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _rejected("not_xlsx", f"{filename}: {len(infos):,} parts, not a workbook")
    members = {info.filename: info for info in infos}
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _rejected("encrypted_workbook", f"{filename}: the workbook's parts are encrypted")
        total += info.file_size
        ratio_ok = info.file_size <= limits.ratio_floor or info.file_size <= limits.max_ratio * max(
            info.compress_size, 1
        )
        if not ratio_ok or total > limits.max_expanded_bytes:
            raise _rejected(
                "compression_bomb",
                f"{filename}: part {info.filename} expands to {info.file_size:,} bytes"
                f" from {info.compress_size:,}; refused as a zip bomb",
            )
        if info.filename.lower().endswith("vbaproject.bin"):
            raise _macro_enabled(filename)
    if "[Content_Types].xml" not in members or "xl/workbook.xml" not in members:
        raise _rejected("not_xlsx", f"{filename}: a zip file, but not an .xlsx workbook")
    types = _read_part(archive, members["[Content_Types].xml"], filename, limits).decode(
        "utf-8", errors="replace"
    )
    if any(marker in types for marker in _MACRO_TYPES):
        raise _macro_enabled(filename)
    if _MAIN_TYPE not in types:
        raise _rejected("not_xlsx", f"{filename}: a zip file, but not an .xlsx workbook")
    return _locate_parts(archive, members, filename, limits)


def _macro_enabled(filename: str) -> InputRejected:
    return _rejected(
        "macro_workbook",
        f"{filename}: a macro-enabled workbook (.xlsm) is refused; save it as an .xlsx workbook",
    )


def _read_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, limits: Limits
) -> bytes:
    if info.file_size > limits.max_xml_part_bytes:
        raise _rejected(
            "xlsx_part_too_large",
            f"{filename}: part {info.filename} is {info.file_size:,} bytes, more than"
            f" {limits.max_xml_part_bytes:,}",
        )
    data = _guarded(lambda: archive.read(info), filename)
    _refuse_dtd(data[:MAX_PROLOG_BYTES], info.filename, filename)
    return data


def _guarded(read: Callable[[], bytes], filename: str) -> bytes:
    try:
        return read()
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _rejected("bad_xlsx", f"{filename}: the workbook is damaged ({exc})") from exc


_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)?", re.DOTALL)
MAX_PROLOG_BYTES = 64 << 10


def _refuse_dtd(head: bytes, part: str, filename: str) -> None:
    """A part whose prolog declares a DTD (entities) is refused before expat sees it; without
    one, expat (2.4+, amplification limits) expands nothing and fetches nothing."""
    position = 0
    while position < len(head):
        step = _PROLOG.match(head, position)
        end = step.end() if step else position
        if end == position:
            break
        position = end
    rest = head[position : position + 9]
    if rest.startswith(b"<!") or (position >= MAX_PROLOG_BYTES and not rest.startswith(b"<")):
        raise _rejected("bad_xlsx", f"{filename}: part {part} declares a DTD; refused")


def _parse(
    stream: IO[bytes], events: tuple[Literal["start", "end"], ...]
) -> Iterator[tuple[str, Element]]:
    """The one XML reader; every caller has passed the part's prolog through `_refuse_dtd`."""
    return iterparse(stream, events=events)  # noqa: S314 (a DTD is refused before this)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(data: bytes, part: str, filename: str) -> Iterator[Element]:
    try:
        for _, element in _parse(io.BytesIO(data), events=("end",)):
            yield element
    except ParseError as exc:
        raise _rejected("bad_xlsx", f"{filename}: part {part} is not valid XML ({exc})") from exc


def _locate_parts(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], filename: str, limits: Limits
) -> Workbook:
    rels_path = "xl/_rels/workbook.xml.rels"
    targets: dict[str, tuple[str, str]] = {}
    if rels_path in members:
        data = _read_part(archive, members[rels_path], filename, limits)
        for element in _xml(data, rels_path, filename):
            if _local(element.tag) == "Relationship":
                target = element.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[element.get("Id", "")] = (posixpath.normpath(path), element.get("Type", ""))
    data = _read_part(archive, members["xl/workbook.xml"], filename, limits)
    sheets: dict[str, str] = {}
    date1904 = False
    for element in _xml(data, "xl/workbook.xml", filename):
        name = _local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "0").lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            path = targets.get(rid, ("", ""))[0]
            sheets[element.get("name", "")] = path
    if not sheets:
        raise _rejected("not_xlsx", f"{filename}: the workbook has no sheets")

    def part(suffix: str, default: str) -> str | None:
        found = next((p for p, kind in targets.values() if kind.endswith(suffix)), default)
        return found if found in members else None

    return Workbook(
        sheets=sheets,
        shared_strings=part(_REL_SHARED, "xl/sharedStrings.xml"),
        styles=part(_REL_STYLES, "xl/styles.xml"),
        date1904=date1904,
        members=members,
    )


def choose_sheet(workbook: Workbook, sheet: str | None, filename: str) -> tuple[str, str]:
    """The named sheet (or the first), and its part; a missing one lists the sheets there are."""
    if sheet is None:
        name, path = next(iter(workbook.sheets.items()))
    elif sheet in workbook.sheets:
        name, path = sheet, workbook.sheets[sheet]
    else:
        names = ", ".join(repr(n) for n in workbook.sheets)
        message = f"{filename}: no sheet named {sheet!r}; the workbook has {names}"
        raise _rejected("sheet_not_found", message)
    if path not in workbook.members:
        raise _rejected("bad_xlsx", f"{filename}: sheet {name!r} has no data part")
    return name, path


def _shared_strings(
    archive: zipfile.ZipFile, workbook: Workbook, filename: str, limits: Limits
) -> list[str]:
    if workbook.shared_strings is None:
        return []
    info = workbook.members[workbook.shared_strings]
    if info.file_size > limits.max_shared_strings_bytes:
        raise _rejected(
            "shared_strings_too_large",
            f"{filename}: the shared strings part is {info.file_size:,} bytes, more than the"
            f" {limits.max_shared_strings_bytes:,} allowed; save the sheet as CSV instead",
        )
    strings: list[str] = []
    with archive.open(info) as stream:
        for element in _stream_xml(stream, info.filename, filename):
            if _local(element.tag) == "si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _text_of(element: Element) -> str:
    """A string item's text: plain `<t>` or rich-text runs; phonetic runs (`rPh`) left out."""
    parts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _date_styles(
    archive: zipfile.ZipFile, workbook: Workbook, filename: str, limits: Limits
) -> set[int]:
    """The cell style indexes whose number format shows a date or time."""
    if workbook.styles is None:
        return set()
    data = _read_part(archive, workbook.members[workbook.styles], filename, limits)
    custom: dict[int, str] = {}
    dated: set[int] = set()
    in_xfs = False
    index = 0
    for event, element in _parse(io.BytesIO(data), events=("start", "end")):
        name = _local(element.tag)
        if event == "start" and name == "cellXfs":
            in_xfs = True
        elif event == "end" and name == "cellXfs":
            in_xfs = False
        elif event == "end" and name == "numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif event == "start" and name == "xf" and in_xfs:
            format_id = int(element.get("numFmtId", "0"))
            if format_id in _DATE_FORMAT_IDS or (
                format_id in custom and _is_date_format(custom[format_id])
            ):
                dated.add(index)
            index += 1
    return dated


def _is_date_format(code: str) -> bool:
    bare = _QUOTED.sub("", code.split(";", 1)[0]).lower()
    return any(token in bare for token in ("y", "d", "h", "s")) or ("m" in bare and "0" not in bare)


def _stream_xml(stream: IO[bytes], part: str, filename: str) -> Iterator[Element]:
    head = stream.peek(MAX_PROLOG_BYTES) if isinstance(stream, io.BufferedReader) else b""
    _refuse_dtd(head, part, filename)
    try:
        for _, element in _parse(stream, events=("end",)):
            yield element
    except ParseError as exc:
        raise _rejected("bad_xlsx", f"{filename}: part {part} is not valid XML ({exc})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _rejected("bad_xlsx", f"{filename}: the workbook is damaged ({exc})") from exc


def _cell_name(sheet: str, ref: str) -> str:
    quoted = (
        sheet if re.fullmatch(r"[A-Za-z0-9_.]+", sheet) else "'" + sheet.replace("'", "''") + "'"
    )
    return f"{quoted}!{ref}"


def excel_date(serial: float, *, date1904: bool = False) -> str:
    """A date serial as ISO 8601: a date, a date and time, or (below 1) a time of day."""
    if date1904:
        base = datetime(1904, 1, 1)
    else:  # Excel counts 1900-02-29, which never was: serials before it are one day off
        base = datetime(1899, 12, 31) if serial < 60 else datetime(1899, 12, 30)
    moment = base + timedelta(seconds=round(serial * 86_400))
    if 0 <= serial < 1:
        return moment.time().isoformat()
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


# The sheet part is scanned with regular expressions, not an XML parser: ~20x faster on one
# core (an iterparse event per element cost ~25 us a cell), and sheet XML is a flat, regular
# grammar. A part that declares a DTD is refused first, so no entity is ever expanded.
_TAG = r"(?:[A-Za-z_][\w.-]*:)?"
_SHEET_DATA_RE = re.compile(rf"<({_TAG})sheetData\b[^>]*?(/?)>")


@functools.lru_cache(maxsize=4)
def _grammar(prefix: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Rows, cells and row ends for the part's namespace prefix (usually none); bodies are
    matched with unrolled loops (`[^<]*(?:<(?!/c>)[^<]*)*`), several times faster in `re`
    than a lazy `.*?`."""
    p = re.escape(prefix)
    row = re.compile(rf"<{p}row(\s[^>]*?)?(?:/>|>([^<]*(?:<(?!/{p}row>)[^<]*)*)</{p}row>)")
    cell = re.compile(rf"<{p}c(\s[^>]*?)?(?:/>|>([^<]*(?:<(?!/{p}c>)[^<]*)*)</{p}c>)")
    return row, cell, re.compile(rf"</{p}row>")


_ATTR_RE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V_RE = re.compile(rf"<{_TAG}v(?:\s[^>]*)?>(.*?)</{_TAG}v>", re.DOTALL)
_T_RE = re.compile(rf"<{_TAG}t(?:\s[^>]*)?>(.*?)</{_TAG}t>", re.DOTALL)
_PHONETIC_RE = re.compile(rf"<{_TAG}rPh\b.*?</{_TAG}rPh>", re.DOTALL)
_ESCAPED_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ENTITY_RE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
MAX_ROW_CHARS = 64 << 20


def _attributes(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    if "'" not in text:  # the usual ` r="A2" s="1"`: split, no regex
        items = [item.partition("=") for item in text.split()]
        if all(len(v) >= 2 and v[0] == v[-1] == '"' for _, _, v in items):
            return {name: value[1:-1] for name, _, value in items}
    return {
        m.group(1).rsplit(":", 1)[-1]: m.group(2) or m.group(3) or ""
        for m in _ATTR_RE.finditer(text)
    }


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code < 0x110000 else ""
    return _ENTITIES[name]


def xml_text(raw: str) -> str:
    """Character data as written in the part: entities and Excel's `_xHHHH_` escapes decoded."""
    text = _ENTITY_RE.sub(_entity, raw) if "&" in raw else raw
    return _ESCAPED_RE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


@dataclass
class _Sheet:
    name: str
    filename: str
    strings: list[str]
    dated: set[int]
    date1904: bool

    def value(self, attributes: dict[str, str], body: str | None, ref: str) -> str:
        kind = attributes.get("t", "n")
        if not body:
            return ""
        if kind == "inlineStr":
            if "rPh" in body:
                body = _PHONETIC_RE.sub("", body)
            return "".join(xml_text(t) for t in _T_RE.findall(body))
        if body.startswith("<v>") and body.endswith("</v>"):  # most cells: no formula
            raw = body[3:-4]
        else:
            found = _V_RE.search(body)
            if found is None:  # a formula never calculated (no cached value)
                return ""
            raw = found.group(1)
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError) as exc:
                raise self._bad(ref, f"shared string {raw} does not exist") from exc
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        if kind in ("str", "e", "d"):
            return xml_text(raw)
        style = attributes.get("s")
        if style and int(style) in self.dated:
            try:
                return excel_date(float(raw), date1904=self.date1904)
            except (ValueError, OverflowError) as exc:
                raise self._bad(ref, f"{raw!r} is not a date") from exc
        return raw.strip()

    def _bad(self, ref: str, why: str) -> InputRejected:
        cell = _cell_name(self.name, ref)
        message = f"{self.filename}: cell {cell}: {why}"
        return _rejected("bad_xlsx", message, cell=cell)


def _sheet_rows(stream: io.RawIOBase, sheet: _Sheet, part: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) of every row that has a cell, trailing empty cells left out."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    started = False
    previous = 0
    try:
        first = True
        while True:
            data = stream.read(READ_BYTES)
            if first:
                _refuse_dtd(data[:MAX_PROLOG_BYTES], part, sheet.filename)
                first = False
            pending += decoder.decode(data, final=not data)
            if not started:
                opening = _SHEET_DATA_RE.search(pending)
                if opening is None:
                    if not data:
                        return
                    pending = pending[-256:]
                    continue
                if opening.group(2):  # <sheetData/>: no rows
                    return
                pending, started = pending[opening.end() :], True
                grammar = _grammar(opening.group(1))
            if data:
                cut = _last_row_end(pending, grammar[2])
                if cut < 0:
                    if len(pending) > MAX_ROW_CHARS:
                        raise sheet._bad(f"A{previous + 1}", "a row longer than a sheet can be")
                    continue
                complete, pending = pending[:cut], pending[cut:]
            else:
                complete, pending = pending, ""
            for number, values in _rows_of(complete, sheet, previous, grammar):
                previous = number
                yield number, values
            if not data:
                return
    except UnicodeDecodeError as exc:
        message = f"{sheet.filename}: sheet {sheet.name!r} is not valid UTF-8 XML"
        raise _rejected("bad_xlsx", message) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _rejected("bad_xlsx", f"{sheet.filename}: the workbook is damaged ({exc})") from exc


def _last_row_end(text: str, row_end: re.Pattern[str]) -> int:
    """Where the last complete row of `text` ends; -1 when none has ended yet."""
    position = text.rfind("row>")
    while position >= 0:
        if row_end.match(text, max(text.rfind("<", 0, position), 0)):
            return position + len("row>")
        position = text.rfind("row>", 0, position)
    return -1


def _rows_of(
    text: str, sheet: _Sheet, previous: int, grammar: tuple[re.Pattern[str], ...]
) -> Iterator[tuple[int, list[str]]]:
    rows, cells_of = grammar[0], grammar[1]
    for row_head, row_body in rows.findall(text):
        number = int(_attributes(row_head).get("r") or previous + 1)
        if number <= previous or number > 1_048_576:
            raise sheet._bad(f"A{number}", "rows out of order")
        previous = number
        values: list[str] = []
        for head, body in cells_of.findall(row_body):
            if not head and body.startswith("<v>") and body.endswith("</v>"):
                values.append(body[3:-4].strip())  # a plain number in the next column: most cells
                continue
            attributes = _attributes(head)
            ref = attributes.get("r")
            match = _CELL_REF.fullmatch(ref) if ref else None
            column = column_index(match.group(1)) if match else len(values)
            if column >= _MAX_COLUMN or column < len(values):
                raise sheet._bad(ref or "", "beyond the last column, or cells out of order")
            if column > len(values):
                values.extend([""] * (column - len(values)))
            values.append(sheet.value(attributes, body, ref or f"{column_letter(column)}{number}"))
        while values and values[-1] == "":
            values.pop()
        yield number, values


def _csv_pieces(rows: Iterator[tuple[int, list[str]]]) -> Iterator[bytes]:
    """Rows as CSV text, one line per sheet row (blank lines for empty rows, so a line number is
    the row number unless a cell holds a line break); short rows padded to the header's width."""
    out = io.StringIO()
    # CRLF: the writer then quotes a field holding a lone CR too (it quotes the terminator's).
    writer = csv.writer(out, lineterminator="\r\n")
    written = 0
    width: int | None = None
    for number, values in rows:
        if number - written > 1:
            out.write("\r\n" * (number - written - 1))
        if values and width is None:
            width = len(values)
        elif values and width is not None and len(values) < width:
            values += [""] * (width - len(values))
        if values:
            writer.writerow(values)
        else:
            out.write("\r\n")
        written = number
        if out.tell() >= READ_BYTES:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")


def read_workbook(
    path: Path, filename: str, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, CsvStream]:
    """The chosen sheet of the workbook at `path` as CSV, and the sheet's name; every check
    runs before a row is parsed."""
    with path.open("rb") as handle:
        check_magic(handle.read(8), "xlsx", filename)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _rejected("not_xlsx", f"{filename}: a damaged zip, not an .xlsx workbook") from exc
    try:
        workbook = check_zip(archive, filename, limits)
        name, part = choose_sheet(workbook, sheet, filename)
        strings = _shared_strings(archive, workbook, filename, limits)
        dated = _date_styles(archive, workbook, filename, limits)
    except BaseException:
        archive.close()
        raise
    info = workbook.members[part]
    state = _Sheet(name, filename, strings, dated, workbook.date1904)
    size = path.stat().st_size
    counted = _Counting(archive.open(info))

    def pieces() -> Iterator[bytes]:
        try:
            yield from _csv_pieces(_sheet_rows(counted, state, part))
        finally:
            archive.close()

    def position() -> int:
        return min(size, size * counted.count // max(info.file_size, 1))

    return name, CsvStream(pieces(), position)


@dataclass
class OpenedInput:
    """The input as a CSV byte stream; `source_bytes_read` is None for a plain CSV (the engine's
    own count is right), else how far into the stored object reading has got."""

    stream: BinaryIO
    kind: Kind
    sheet: str | None = None
    position: Callable[[], int] | None = None


def open_input(
    source: BinaryIO,
    filename: str,
    *,
    work_dir: Path,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> OpenedInput:
    """Open `source` (a `.read(n)` stream) as CSV by its name's kind; an `.xlsx` is first spooled
    to `work_dir` (a zip is read from its end)."""
    kind = kind_of(filename) or "csv"
    if kind == "csv":
        return OpenedInput(stream=source, kind=kind)
    if kind == "csv.gz":
        stream = gunzip(source, filename, limits)
        return OpenedInput(io.BufferedReader(stream, READ_BYTES), kind, None, stream.position_fn)
    spooled = work_dir / "input.xlsx"
    with spooled.open("wb") as out:
        shutil.copyfileobj(source, out, READ_BYTES)
    name, stream = read_workbook(spooled, filename, sheet=sheet, limits=limits)
    return OpenedInput(io.BufferedReader(stream, READ_BYTES), kind, name, stream.position_fn)


def gunzip_head(head: bytes, filename: str, *, whole: bool, limit: int = 256 << 10) -> bytes:
    """The first `limit` bytes of the CSV inside a `.csv.gz`'s first bytes (the upload pre-check);
    `whole` says `head` is the entire file."""
    check_magic(head, "csv.gz", filename)
    inflater = zlib.decompressobj(wbits=31)
    try:
        text = inflater.decompress(head, limit)
        while inflater.eof and inflater.unused_data and len(text) < limit:  # the next member
            rest = inflater.unused_data
            inflater = zlib.decompressobj(wbits=31)
            text += inflater.decompress(rest, limit - len(text))
    except zlib.error as exc:
        raise _rejected(
            "bad_gzip", f"{filename}: not a readable gzip file (it is damaged)"
        ) from exc
    if whole and not inflater.eof and len(text) < limit:
        raise _rejected("bad_gzip", f"{filename}: not a readable gzip file (it ends early)")
    return text
