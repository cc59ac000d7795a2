"""A purpose-built streaming xlsx writer: sheets, styles, workbook parts.

Sheet XML is generated in blocks of rows (cells spelled by `xlsx_cells`) and deflated straight
into the zip member of the sink on every core (`deflate`): memory stays flat, nothing is spilled
to temporary files, and text is always an inline string, so nothing a user typed can become a
formula. Chosen by measurement (see the README).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from batchscore_model.cell_refs import column_letter
from batchscore_model.deflate import DEFAULT_LEVEL, DeflatedMember, Deflater
from batchscore_model.xlsx_cells import (
    EMPTY_CELL,
    EXCEL_MAX_CELL_CHARS,
    Column,
    spell_rows,
    text_cell,
    value_cell,
)
from batchscore_model.xlsx_chart import (
    CHART_CONTENT_TYPE,
    DRAWING_CONTENT_TYPE,
    BarChart,
    ColorScale,
    chart_xml,
    drawing_xml,
    relationships,
)
from batchscore_model.xlsx_process import RowEncoder

__all__ = ["EMPTY_CELL", "EXCEL_MAX_CELL_CHARS", "EXCEL_MAX_COLUMNS", "EXCEL_MAX_ROWS"]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
HEADER_STYLE = 1
PERCENT_STYLE = 2  # 0.0%: probabilities
DECIMAL_STYLE = 3  # #,##0.00: predicted values

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DRAWING = '<drawing r:id="rId1"/>'


def column_widths(header: Sequence[str], samples: Sequence[Sequence[str]]) -> list[float]:
    """Wide enough for the header and the sampled values, between 8 and 50 characters."""
    widths = []
    for index, name in enumerate(header):
        longest = max([len(name), *(len(row[index]) for row in samples if index < len(row))])
        widths.append(float(min(max(longest + 2, 8), 50)))
    return widths


@dataclass
class _Sheet:
    name: str
    part: int
    columns: int
    rows: int = 0  # data rows under the header
    scales: Sequence[ColorScale] = ()
    chart: BarChart | None = None


class XlsxStreamWriter:
    """Write a workbook sheet by sheet; data tables split across sheets at the row limit."""

    def __init__(
        self,
        sink: BinaryIO | str | Path,
        *,
        sheet_row_limit: int = EXCEL_MAX_ROWS,
        compresslevel: int = DEFAULT_LEVEL,
        workers: int | None = None,
    ) -> None:
        if sheet_row_limit < 2:
            raise ValueError("sheet_row_limit must leave room for a header and one row")
        self._zip = zipfile.ZipFile(
            sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._capacity = sheet_row_limit - 1
        self._sheets: list[_Sheet] = []
        self._deflater = Deflater(level=compresslevel, workers=workers)
        self._member: DeflatedMember | None = None
        self._encoder: RowEncoder | None = None  # the child spelling the table's rows
        self._blocks = 0  # calls of append_columns
        self._table: tuple[str, list[str], list[float]] | None = None
        self._scales: Sequence[ColorScale] = ()

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self._sheets]

    @property
    def workers(self) -> int:
        return self._deflater.workers

    def begin_table(
        self,
        base_name: str,
        header: list[str],
        widths: list[float],
        *,
        color_scales: Sequence[ColorScale] = (),
    ) -> None:
        """Start the data table; `color_scales` apply to its columns on every sheet it fills."""
        self._table = (base_name, header, widths)
        self._scales = color_scales
        self._open_sheet(base_name, header, widths, frozen=True)

    def append_columns(self, columns: Sequence[Column], count: int) -> None:
        """Add `count` rows given as typed columns (`xlsx_cells`), in the table's order.

        From a table's second block on, with more than one core, the rows are spelled and
        deflated by a child process (`xlsx_process`) while the caller reads the next block."""
        assert self._table is not None, "begin_table first"
        self._blocks += 1
        if self._blocks == 2 and self._encoder is None and self._deflater.workers > 1:
            self._start_encoder()
        if self._encoder is not None:
            for number, (start, take, first_row) in enumerate(self._spans(count)):
                self._encoder.rows(None if number else columns, start, start + take, first_row)
            return
        blocks = [column.pieces() for column in columns]
        for start, take, first_row in self._spans(count):
            self._write(spell_rows(blocks, start, start + take, first_row))

    def _spans(self, count: int) -> Iterator[tuple[int, int, int]]:
        """`(start, rows, first row number)` of each sheet's share of `count` new rows; a
        full sheet is closed and the next one opened between them."""
        assert self._table is not None
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
            yield start, take, sheet.rows + 2
            sheet.rows += take
            start += take

    def _start_encoder(self) -> None:
        """Hand the open member to a child process, where its stream has got to."""
        assert self._member is not None
        stream = self._member.stream
        stream.flush()
        try:
            encoder = RowEncoder(level=self._deflater.level, workers=self._deflater.workers)
        except OSError:  # pragma: no cover - no child process here: spell the rows inline
            return
        encoder.open(self._member.zip_member, crc=stream.crc, size=stream.size)
        self._encoder = encoder

    def _stop_encoder(self, *, failed: bool = False) -> None:
        encoder, self._encoder = self._encoder, None
        if encoder is None:
            return
        if failed:
            encoder.kill()
        else:
            encoder.shutdown()

    def end_table(self) -> None:
        self._close_sheet()
        self._stop_encoder()
        self._table = None

    def write_sheet(
        self,
        name: str,
        header: list[str],
        rows: Iterable[Sequence[object]],
        widths: list[float],
        *,
        chart: BarChart | None = None,
    ) -> None:
        """A small sheet of Python values (summary, errors, warnings), with an optional chart."""
        self._open_sheet(name, header, widths, frozen=True)
        sheet = self._sheets[-1]
        sheet.chart = chart
        xml = []
        for row in rows:
            sheet.rows += 1
            cells = "".join(value_cell(value) for value in row)
            xml.append(f'<row r="{sheet.rows + 1}">{cells}</row>')
        self._write("".join(xml))
        self._close_sheet()

    def close(self) -> None:
        if self._member is not None:
            self._close_sheet()
        self._stop_encoder()
        self._deflater.shutdown()
        parts = {
            "[Content_Types].xml": self._content_types(),
            "_rels/.rels": _ROOT_RELS,
            "xl/workbook.xml": self._workbook(),
            "xl/_rels/workbook.xml.rels": self._workbook_rels(),
            "xl/styles.xml": _STYLES,
        }
        for number, sheet in enumerate(self._charted(), start=1):
            assert sheet.chart is not None
            parts[f"xl/worksheets/_rels/sheet{sheet.part}.xml.rels"] = relationships(
                "drawing", f"../drawings/drawing{number}.xml"
            )
            parts[f"xl/drawings/drawing{number}.xml"] = drawing_xml(sheet.chart, number)
            parts[f"xl/drawings/_rels/drawing{number}.xml.rels"] = relationships(
                "chart", f"../charts/chart{number}.xml"
            )
            parts[f"xl/charts/chart{number}.xml"] = chart_xml(sheet.chart)
        for name, xml in parts.items():
            self._zip.writestr(name, xml)
        self._zip.close()

    def abort(self) -> None:
        """Release the sink after a failure; what was written is not a valid workbook."""
        try:
            self._stop_encoder(failed=True)
            if self._member is not None:
                self._member.abandon()
            self._deflater.shutdown()
        finally:
            self._member = None
            self._zip.close()

    def _data_sheets(self) -> list[_Sheet]:
        assert self._table is not None
        base = self._table[0]
        return [s for s in self._sheets if s.name == base or s.name.startswith(f"{base}_")]

    def _write(self, xml: str | bytes) -> None:
        assert self._member is not None
        data = xml if isinstance(xml, bytes) else xml.encode("utf-8")
        if self._encoder is not None:
            self._encoder.raw(data)
        else:
            self._member.write(data)

    def _open_sheet(
        self, name: str, header: list[str], widths: list[float], *, frozen: bool
    ) -> None:
        part = len(self._sheets) + 1
        scales = self._scales if self._table is not None else ()
        self._sheets.append(_Sheet(name=name, part=part, columns=len(header), scales=scales))
        self._member = DeflatedMember(self._zip, f"xl/worksheets/sheet{part}.xml", self._deflater)
        if self._encoder is not None:
            self._encoder.open(self._member.zip_member)
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
        self._write(
            f"</sheetData>{self._autofilter(sheet)}{self._color_scales(sheet)}"
            f"{_DRAWING if sheet.chart is not None else ''}</worksheet>"
        )
        assert self._member is not None
        if self._encoder is not None:
            self._member.zip_member.finish(*self._encoder.close())
        else:
            self._member.close()
        self._member = None

    @staticmethod
    def _ref(sheet: _Sheet) -> str:
        return f"A1:{column_letter(max(sheet.columns, 1) - 1)}{sheet.rows + 1}"

    def _charted(self) -> list[_Sheet]:
        return [sheet for sheet in self._sheets if sheet.chart is not None]

    @staticmethod
    def _color_scales(sheet: _Sheet) -> str:
        if not sheet.rows:
            return ""
        return "".join(
            scale.rule(
                f"{column_letter(scale.column)}2:{column_letter(scale.column)}{sheet.rows + 1}",
                priority,
            )
            for priority, scale in enumerate(sheet.scales, start=1)
        )

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
        drawings = "".join(
            f'<Override PartName="/xl/drawings/drawing{n}.xml" ContentType="{DRAWING_CONTENT_TYPE}"/>'
            f'<Override PartName="/xl/charts/chart{n}.xml" ContentType="{CHART_CONTENT_TYPE}"/>'
            for n in range(1, len(self._charted()) + 1)
        )
        return (
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{sheets}{drawings}</Types>"
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
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
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
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1"'
    ' applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
