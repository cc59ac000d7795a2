"""A purpose-built streaming xlsx writer.

Sheet XML is generated in blocks of rows and deflated straight into the zip member of the sink:
memory stays flat, nothing is spilled to temporary files, and text is always an inline string,
so nothing a user typed can become a formula. Chosen by measurement (see the README).
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
HEADER_STYLE = 1
EMPTY_CELL = "<c/>"

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# XML 1.0 cannot carry C0 controls other than tab/LF/CR; CR is escaped so parsers keep it.
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\r": "&#13;",
        **{chr(code): "\ufffd" for code in range(32) if code not in (9, 10, 13)},
    }
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def text_cell(value: str, style: int = 0) -> str:
    if not value:
        return EMPTY_CELL
    styled = f' s="{style}"' if style else ""
    return (
        f'<c t="inlineStr"{styled}><is><t xml:space="preserve">'
        f"{value[:EXCEL_MAX_CELL_CHARS].translate(_ESCAPES)}</t></is></c>"
    )


_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_cells(values: Sequence[str]) -> list[str]:
    """`text_cell` for each value; one scan decides whether any value needs escaping."""
    joined = "".join(values)
    if _SPECIAL.search(joined) or (
        len(joined) > EXCEL_MAX_CELL_CHARS
        and any(len(value) > EXCEL_MAX_CELL_CHARS for value in values)
    ):
        return [text_cell(value) for value in values]
    return [
        f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
        if value
        else EMPTY_CELL
        for value in values
    ]


def label_cells(labels: Iterable[str]) -> list[str]:
    """Text cells for a column with few distinct values (class labels)."""
    cache: dict[str, str] = {}
    return [cache.get(label) or cache.setdefault(label, text_cell(label)) for label in labels]


def number_cells(values: np.ndarray) -> list[str]:
    """Finite floats as numbers, NaN as an empty cell (callers never pass infinities)."""
    floats = values.astype(np.float64, copy=False)
    as_list = floats.tolist()
    if np.isnan(floats).any():
        return [f"<c><v>{value!r}</v></c>" if value == value else EMPTY_CELL for value in as_list]
    return [f"<c><v>{value!r}</v></c>" for value in as_list]


_NUMBER_CHARS = str.maketrans(dict.fromkeys("0123456789.-+eE"))


def literal_number_cells(texts: Sequence[str], values: np.ndarray) -> list[str]:
    """The numbers exactly as the input wrote them when that is a plain numeral, else `values`.

    `values` are the parsed floats (NaN = missing, written as an empty cell).
    """
    missing = np.isnan(values)
    if not missing.any():
        if "".join(texts).translate(_NUMBER_CHARS):
            return number_cells(values)
        return [f"<c><v>{text}</v></c>" for text in texts]
    flags = missing.tolist()
    present = [text for text, gone in zip(texts, flags, strict=True) if not gone]
    if "".join(present).translate(_NUMBER_CHARS):
        return number_cells(values)
    return [
        EMPTY_CELL if gone else f"<c><v>{text}</v></c>"
        for text, gone in zip(texts, flags, strict=True)
    ]


def value_cell(value: object) -> str:
    if value is None:
        return EMPTY_CELL
    if isinstance(value, bool):
        return text_cell(str(value).lower())
    if isinstance(value, int):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, float):
        return f"<c><v>{value!r}</v></c>" if np.isfinite(value) else EMPTY_CELL
    return text_cell(str(value))


def column_widths(header: Sequence[str], samples: Sequence[Sequence[str]]) -> list[float]:
    """Wide enough for the header and the sampled values, between 8 and 50 characters."""
    widths = []
    for index, name in enumerate(header):
        longest = max([len(name), *(len(row[index]) for row in samples if index < len(row))])
        widths.append(float(min(max(longest + 2, 8), 50)))
    return widths


class _Worker:
    """Runs the zip work (CRC, deflate, file writes: all release the GIL) on one thread, in order.

    The queue is short, so at most a few encoded blocks wait in memory.
    """

    def __init__(self, *, threaded: bool, depth: int = 2) -> None:
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="xlsx-zip", daemon=True)
            self._thread.start()

    def submit(self, task: Callable[[], object]) -> None:
        if self._error is not None:
            raise self._error
        if self._thread is None:
            task()
            return
        self._queue.put(task)

    def finish(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (task := self._queue.get()) is not None:
            if self._error is None:
                try:
                    task()
                except BaseException as exc:  # handed to the producing thread
                    self._error = exc


@dataclass
class _Sheet:
    name: str
    part: int
    columns: int
    rows: int = 0  # data rows under the header


class XlsxStreamWriter:
    """Write a workbook sheet by sheet; data tables split across sheets at the row limit."""

    def __init__(
        self,
        sink: BinaryIO | str | Path,
        *,
        sheet_row_limit: int = EXCEL_MAX_ROWS,
        compresslevel: int = 1,
        threaded: bool = True,
    ) -> None:
        if sheet_row_limit < 2:
            raise ValueError("sheet_row_limit must leave room for a header and one row")
        self._zip = zipfile.ZipFile(
            sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._capacity = sheet_row_limit - 1
        self._sheets: list[_Sheet] = []
        self._stream: IO[bytes] | None = None  # used by the worker thread only
        self._open = False
        self._worker = _Worker(threaded=threaded)
        self._table: tuple[str, list[str], list[float]] | None = None

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self._sheets]

    def begin_table(self, base_name: str, header: list[str], widths: list[float]) -> None:
        self._table = (base_name, header, widths)
        self._open_sheet(base_name, header, widths, frozen=True)

    def append_rows(
        self,
        columns: Sequence[Sequence[str]],
        count: int,
        *,
        prefixes: Sequence[str] | None = None,
    ) -> None:
        """Add `count` rows given column-wise as cell XML (see `number_cells`, `text_cells`).

        `prefixes`, when given, is each row's leading cells already joined.
        """
        assert self._table is not None, "begin_table first"
        start = 0
        while start < count:
            sheet = self._sheets[-1]
            if sheet.rows == self._capacity:
                base, header, widths = self._table
                self._close_sheet()
                name = f"{base}_{len(self._data_sheets()) + 1}"
                self._open_sheet(name, header, widths, frozen=True)
                sheet = self._sheets[-1]
            take = min(count - start, self._capacity - sheet.rows)
            first = sheet.rows + 2
            numbers = range(first, first + take)
            block = zip(*[column[start : start + take] for column in columns], strict=True)
            if prefixes is None:
                rows = [
                    f'<row r="{n}">{"".join(cells)}</row>'
                    for n, cells in zip(numbers, block, strict=True)
                ]
            else:
                rows = [
                    f'<row r="{n}">{prefix}{"".join(cells)}</row>'
                    for n, prefix, cells in zip(
                        numbers, prefixes[start : start + take], block, strict=True
                    )
                ]
            self._write("".join(rows))
            sheet.rows += take
            start += take

    def end_table(self) -> None:
        self._close_sheet()
        self._table = None

    def write_sheet(
        self, name: str, header: list[str], rows: Iterable[Sequence[object]], widths: list[float]
    ) -> None:
        """A small sheet of Python values (summary, errors)."""
        self._open_sheet(name, header, widths, frozen=True)
        sheet = self._sheets[-1]
        for row in rows:
            sheet.rows += 1
            cells = "".join(value_cell(value) for value in row)
            self._write(f'<row r="{sheet.rows + 1}">{cells}</row>')
        self._close_sheet()

    def close(self) -> None:
        if self._open:
            self._close_sheet()
        parts = {
            "[Content_Types].xml": self._content_types(),
            "_rels/.rels": _ROOT_RELS,
            "xl/workbook.xml": self._workbook(),
            "xl/_rels/workbook.xml.rels": self._workbook_rels(),
            "xl/styles.xml": _STYLES,
        }
        for name, xml in parts.items():
            self._worker.submit(partial(self._zip.writestr, name, xml))
        self._worker.submit(self._zip.close)
        self._worker.finish()

    def abort(self) -> None:
        """Release the sink after a failure; what was written is not a valid workbook."""
        try:
            self._worker.finish()
        finally:
            if self._stream is not None:
                self._stream.close()
            self._zip.close()

    def _data_sheets(self) -> list[_Sheet]:
        assert self._table is not None
        base = self._table[0]
        return [s for s in self._sheets if s.name == base or s.name.startswith(f"{base}_")]

    def _write(self, xml: str) -> None:
        self._worker.submit(partial(self._write_now, xml.encode("utf-8")))

    def _write_now(self, data: bytes) -> None:
        assert self._stream is not None
        self._stream.write(data)

    def _open_now(self, part: int) -> None:
        self._stream = self._zip.open(f"xl/worksheets/sheet{part}.xml", "w", force_zip64=True)

    def _close_now(self) -> None:
        assert self._stream is not None
        self._stream.close()
        self._stream = None

    def _open_sheet(
        self, name: str, header: list[str], widths: list[float], *, frozen: bool
    ) -> None:
        part = len(self._sheets) + 1
        self._sheets.append(_Sheet(name=name, part=part, columns=len(header)))
        self._worker.submit(partial(self._open_now, part))
        self._open = True
        selected = ' tabSelected="1"' if part == 1 else ""
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            if frozen
            else ""
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
            for i, width in enumerate(widths, start=1)
        )
        header_cells = "".join(text_cell(name, HEADER_STYLE) for name in header)
        self._write(
            f"{_XML_DECL}<worksheet {_NS} {_NS_R}>"
            f'<sheetViews><sheetView{selected} workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{cols}</cols>' if cols else ''}"
            f'<sheetData><row r="1">{header_cells}</row>'
        )

    def _close_sheet(self) -> None:
        sheet = self._sheets[-1]
        self._write(f"</sheetData>{self._autofilter(sheet)}</worksheet>")
        self._worker.submit(self._close_now)
        self._open = False

    @staticmethod
    def _ref(sheet: _Sheet) -> str:
        return f"A1:{column_letter(max(sheet.columns, 1) - 1)}{sheet.rows + 1}"

    def _autofilter(self, sheet: _Sheet) -> str:
        return f'<autoFilter ref="{self._ref(sheet)}"/>' if sheet.columns else ""

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{s.name}" sheetId="{s.part}" r:id="rId{s.part}"/>' for s in self._sheets
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
            f"'{s.name}'!{self._absolute(self._ref(s))}</definedName>"
            for index, s in enumerate(self._sheets)
            if s.columns
        )
        return (
            f"{_XML_DECL}<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews>"
            f"<sheets>{sheets}</sheets><definedNames>{names}</definedNames></workbook>"
        )

    @staticmethod
    def _absolute(ref: str) -> str:
        first, last = ref.split(":")
        return ":".join(
            "$"
            + "".join(c for c in cell if c.isalpha())
            + "$"
            + "".join(c for c in cell if c.isdigit())
            for cell in (first, last)
        )

    def _workbook_rels(self) -> str:
        rels = "".join(
            f'<Relationship Id="rId{s.part}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{s.part}.xml"/>'
            for s in self._sheets
        )
        styles = len(self._sheets) + 1
        return (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{styles}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        )

    def _content_types(self) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{s.part}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for s in self._sheets
        )
        return (
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{sheets}</Types>"
        )


_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROOT_RELS = (
    f'{_XML_DECL}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_STYLES = (
    f"{_XML_DECL}<styleSheet {_NS}>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E78"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/>'
    "</border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1"'
    ' applyBorder="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
