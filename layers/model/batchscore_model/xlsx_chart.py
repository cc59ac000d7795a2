"""The parts of a native Excel column chart and of a color scale, as the streaming writer needs them.

A chart is three parts (DrawingML): the chart itself (`xl/charts/chartN.xml`), a drawing that
anchors it on a sheet (`xl/drawings/drawingN.xml`), and the relationships between sheet, drawing
and chart; the workbook's content types name the first two. Each part holds only what Excel and
LibreOffice need to open it without a repair (element order as the OOXML schema fixes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from batchscore_model.xlsx_cells import escape

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
DRAWING_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
BAR_COLOR = "1F4E78"


@dataclass(frozen=True)
class BarChart:
    """A column chart of one series: `labels` from `categories`, `counts` from `values`.

    The references are absolute ranges of the sheet (`'summary'!$A$8:$A$9`); labels and counts
    are their cached values, so a reader that does not recalculate still draws the bars.
    """

    title: str
    series: str
    categories: str
    values: str
    labels: Sequence[str]
    counts: Sequence[float]
    anchor: tuple[int, int, int, int] = (3, 1, 12, 20)  # from col, from row, to col, to row


@dataclass(frozen=True)
class ColorScale:
    """A three-color scale over one column of a data sheet (0-based column index).

    `low`/`high` None: the column's own minimum and maximum; else fixed numbers.
    """

    column: int
    low: float | None = None
    high: float | None = None
    colors: tuple[str, str, str] = ("FF63BE7B", "FFFFEB84", "FFF8696B")

    def rule(self, ref: str, priority: int) -> str:
        if self.low is None or self.high is None:
            ends = '<cfvo type="min"/><cfvo type="percentile" val="50"/><cfvo type="max"/>'
        else:
            middle = (self.low + self.high) / 2
            ends = (
                f'<cfvo type="num" val="{self.low!r}"/><cfvo type="num" val="{middle!r}"/>'
                f'<cfvo type="num" val="{self.high!r}"/>'
            )
        colors = "".join(f'<color rgb="{color}"/>' for color in self.colors)
        return (
            f'<conditionalFormatting sqref="{ref}"><cfRule type="colorScale" priority="{priority}">'
            f"<colorScale>{ends}{colors}</colorScale></cfRule></conditionalFormatting>"
        )


def chart_xml(chart: BarChart) -> str:
    points = "".join(
        f'<c:pt idx="{k}"><c:v>{escape(str(label))}</c:v></c:pt>'
        for k, label in enumerate(chart.labels)
    )
    numbers = "".join(
        f'<c:pt idx="{k}"><c:v>{float(count)!r}</c:v></c:pt>'
        for k, count in enumerate(chart.counts)
    )
    count = len(chart.labels)
    title = (
        f"<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>{escape(chart.title)}"
        '</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
    )
    axis_common = '<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
    return (
        f'{_XML_DECL}<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f'{title}<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        f"<c:tx><c:v>{escape(chart.series)}</c:v></c:tx>"
        f'<c:spPr><a:solidFill><a:srgbClr val="{BAR_COLOR}"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f"<c:cat><c:strRef><c:f>{escape(chart.categories)}</c:f><c:strCache>"
        f'<c:ptCount val="{count}"/>{points}</c:strCache></c:strRef></c:cat>'
        f"<c:val><c:numRef><c:f>{escape(chart.values)}</c:f><c:numCache>"
        f'<c:formatCode>General</c:formatCode><c:ptCount val="{count}"/>{numbers}'
        "</c:numCache></c:numRef></c:val></c:ser>"
        '<c:gapWidth val="50"/><c:axId val="10"/><c:axId val="100"/></c:barChart>'
        f'<c:catAx><c:axId val="10"/>{axis_common}<c:axPos val="b"/>'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="100"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="100"/>{axis_common}<c:axPos val="l"/><c:majorGridlines/>'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10"/>'
        '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        '</c:plotArea><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        "</c:chartSpace>"
    )


def drawing_xml(chart: BarChart, chart_number: int) -> str:
    from_col, from_row, to_col, to_row = chart.anchor
    return (
        f'{_XML_DECL}<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}"><xdr:twoCellAnchor>'
        f"<xdr:from><xdr:col>{from_col}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{from_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{to_col}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{to_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
        f'<xdr:cNvPr id="{chart_number + 1}" name="Chart {chart_number}"/><xdr:cNvGraphicFramePr/>'
        '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{_C}"><c:chart xmlns:c="{_C}" xmlns:r="{_R}" r:id="rId1"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
        "</xdr:wsDr>"
    )


def relationships(kind: str, target: str) -> str:
    """A rels part with one relationship `rId1` of `kind` (`drawing`, `chart`)."""
    return (
        f'{_XML_DECL}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_R}/{kind}" Target="{target}"/></Relationships>'
    )
