"""Workbooks built part by part (what Excel writes), for the input reader's tests: cached
formula values, date styles and hostile zips that openpyxl would never write."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def cell(ref: str, value: object, *, style: int | None = None, formula: str | None = None) -> str:
    """One `<c>`: str → inline string, bool → boolean, number → number (cached if formula)."""
    s = f' s="{style}"' if style is not None else ""
    f = f"<f>{escape(formula)}</f>" if formula else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}>{f}<v>{int(value)}</v></c>'
    if isinstance(value, str):
        if formula:
            return f'<c r="{ref}" t="str"{s}>{f}<v>{escape(value)}</v></c>'
        return f'<c r="{ref}" t="inlineStr"{s}><is><t>{escape(value)}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{s}>{f}</c>'
    return f'<c r="{ref}"{s}>{f}<v>{value!r}</v></c>'


def sheet_xml(rows: list[tuple[int, list[str]]]) -> str:
    body = "".join(f'<row r="{n}">{"".join(cells)}</row>' for n, cells in rows)
    return f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>{body}</sheetData></worksheet>'


STYLES = (
    f'<?xml version="1.0"?><styleSheet xmlns="{NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm"/></numFmts>'
    '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>'
    "</styleSheet>"
)


def workbook(
    sheets: dict[str, str],
    *,
    shared: list[str] | None = None,
    main_type: str = MAIN,
    extra: dict[str, bytes] | None = None,
    date1904: bool = False,
) -> bytes:
    """An .xlsx holding `sheets` (name → sheet XML), styles with a date style at index 1 (built-in
    format 14) and 2 (a custom date-time format), and optionally shared strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types">{overrides}</Types>',
        )
        entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, name in enumerate(sheets)
        )
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL_NS}">{pr}'
            f"<sheets>{entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        rels += f'<Relationship Id="rS" Type="{REL_NS}/styles" Target="styles.xml"/>'
        if shared is not None:
            rels += (
                f'<Relationship Id="rT" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
            )
            items = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared)
            archive.writestr(
                "xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{NS}">{items}</sst>'
            )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{rels}</Relationships>',
        )
        archive.writestr("xl/styles.xml", STYLES)
        for i, xml in enumerate(sheets.values()):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()
