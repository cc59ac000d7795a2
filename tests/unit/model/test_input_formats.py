"""Excel and gzip input as the engine's CSV stream: types kept, hostile files refused."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from xlsx_parts import MACRO, cell, sheet_xml, workbook

from batchscore_model.errors import InputRejected
from batchscore_model.input_formats import (
    CFB_MAGIC,
    Limits,
    excel_date,
    gunzip_head,
    kind_of,
    open_input,
    read_workbook,
    stem_of,
)


def rows_of(data: bytes, name: str, tmp_path: Path, **options: object) -> list[list[str]]:
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    _, stream = read_workbook(path, name, **options)  # type: ignore[arg-type]
    return list(
        csv.reader(io.TextIOWrapper(io.BufferedReader(stream), encoding="utf-8", newline=""))
    )


def rejection(data: bytes, tmp_path: Path, **options: object) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        rows_of(data, "book.xlsx", tmp_path, **options)
    assert "book.xlsx" in caught.value.message
    return caught.value


@pytest.mark.parametrize(
    ("name", "kind", "stem"),
    [
        ("a.csv", "csv", "a"),
        ("A.CSV.GZ", "csv.gz", "A"),
        ("scores 2024.xlsx", "xlsx", "scores 2024"),
        ("a.xlsm", None, "a.xlsm"),
        (".csv", None, ".csv"),
    ],
)
def test_kind_and_stem_come_from_the_extension(name: str, kind: str | None, stem: str) -> None:
    # Given a file name / When its kind and stem are read / Then the extension decides
    assert kind_of(name) == kind
    assert stem_of(name) == stem


def test_cached_formula_values_dates_numbers_and_strings_keep_their_types(tmp_path: Path) -> None:
    # Given a sheet with shared and inline strings, a formula with its cached value, dates in a
    # built-in and a custom format, a boolean, and a float that needs all 17 digits
    sheet = sheet_xml(
        [
            (1, ['<c r="A1" t="s"><v>0</v></c>', cell("B1", "amount"), cell("C1", "when")]),
            (
                2,
                [
                    '<c r="A2" t="s"><v>1</v></c>',
                    cell("B2", 0.30000000000000004, formula="0.1+0.2"),
                    cell("C2", 45352, style=1),
                    cell("D2", True),
                ],
            ),
            (
                3,
                [
                    cell("A3", "x, y"),
                    cell("B3", 12, formula="SUM(1,11)"),
                    cell("C3", 45352.5, style=2),
                ],
            ),
        ]
    )
    data = workbook({"Sheet1": sheet}, shared=["name", "Ann"])

    # When it is read as CSV
    rows = rows_of(data, "book.xlsx", tmp_path)

    # Then values are as Excel shows them: numbers exactly, dates in ISO 8601
    assert rows == [
        ["name", "amount", "when"],
        ["Ann", "0.30000000000000004", "2024-03-01", "TRUE"],
        ["x, y", "12", "2024-03-01T12:00:00"],
    ]


def test_an_openpyxl_workbook_reads_back(tmp_path: Path) -> None:
    # Given a workbook written by openpyxl (shared strings, dates, floats, a gap row)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["id", "score", "seen"])
    sheet.append([1, 2.5, date(2024, 1, 31)])
    sheet.append([2, -1e-7, datetime(2024, 2, 1, 8, 30)])
    sheet["A5"] = 4
    path = tmp_path / "book.xlsx"
    book.save(path)

    # When it is read
    rows = rows_of(path.read_bytes(), "book.xlsx", tmp_path)

    # Then the row numbers hold (an empty row is a blank line) and values keep their types
    assert rows == [
        ["id", "score", "seen"],
        ["1", "2.5", "2024-01-31"],
        ["2", "-1e-07", "2024-02-01T08:30:00"],
        [],
        ["4", "", ""],
    ]


def test_a_named_sheet_is_read_and_a_missing_one_lists_the_sheets(tmp_path: Path) -> None:
    # Given two sheets
    first = sheet_xml([(1, [cell("A1", "a")]), (2, [cell("A2", 1)])])
    second = sheet_xml([(1, [cell("A1", "b")]), (2, [cell("A2", 2)])])
    data = workbook({"First": first, "Second one": second})

    # When the second is named / Then its rows are read
    assert rows_of(data, "book.xlsx", tmp_path, sheet="Second one") == [["b"], ["2"]]
    # When a sheet that is not there is named / Then the refusal lists the sheets
    refused = rejection(data, tmp_path, sheet="Third")
    assert refused.code == "sheet_not_found"
    assert "'First', 'Second one'" in refused.message


def test_the_1904_date_system_is_honoured() -> None:
    # Given serial 0 in each system / Then the epochs differ as Excel's do
    assert excel_date(1, date1904=True) == "1904-01-02"
    assert excel_date(61) == "1900-03-01"
    assert excel_date(0.75) == "18:00:00"


def test_a_missing_shared_string_names_the_cell(tmp_path: Path) -> None:
    # Given a cell pointing past the shared strings
    sheet = sheet_xml([(1, [cell("A1", "h")]), (7, ['<c r="C7" t="s"><v>9</v></c>'])])
    data = workbook({"Sheet1": sheet}, shared=["only"])

    # When read / Then the refusal names the sheet and cell
    refused = rejection(data, tmp_path)
    assert "Sheet1!C7" in refused.message
    assert refused.details[0]["column"] == "Sheet1!C7"


def test_a_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    # Given a sheet part of 40 MB of spaces that deflates a thousandfold
    padding = b" " * (40 << 20)
    data = workbook({"Sheet1": sheet_xml([(1, [cell("A1", "a")])])}, extra={"xl/pad.xml": padding})

    # When read / Then it is refused as a bomb
    assert rejection(data, tmp_path).code == "compression_bomb"


def test_a_huge_shared_strings_part_is_refused(tmp_path: Path) -> None:
    # Given shared strings larger than the limit
    data = workbook({"Sheet1": sheet_xml([(1, [cell("A1", "a")])])}, shared=["x" * 5000] * 50)

    # When read with a 64 KB limit / Then it is refused with the reason
    refused = rejection(data, tmp_path, limits=Limits(max_shared_strings_bytes=64 << 10))
    assert refused.code == "shared_strings_too_large"


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (CFB_MAGIC + b"\0" * 600, "encrypted_workbook", "encrypted or legacy"),
        (b"id,score\n1,2\n", "not_xlsx", "text (a CSV?)"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not_xlsx", "a PNG image"),
        (b"PK\x03\x04 not really a zip", "not_xlsx", "damaged zip"),
    ],
)
def test_what_is_not_an_xlsx_is_refused_by_what_it_is(
    data: bytes, code: str, words: str, tmp_path: Path
) -> None:
    # Given a file named .xlsx that is something else / When read / Then the reason says what
    refused = rejection(data, tmp_path)
    assert refused.code == code
    assert words in refused.message


def test_macro_enabled_workbooks_are_refused(tmp_path: Path) -> None:
    sheet = sheet_xml([(1, [cell("A1", "a")])])
    # Given an xlsm's content type, or a vbaProject.bin part / Then each is refused
    assert rejection(workbook({"S": sheet}, main_type=MACRO), tmp_path).code == "macro_workbook"
    with_vba = workbook({"S": sheet}, extra={"xl/vbaProject.bin": b"\0" * 10})
    assert rejection(with_vba, tmp_path).code == "macro_workbook"


def test_a_zip_of_something_else_is_refused(tmp_path: Path) -> None:
    # Given a zip without workbook parts
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    # When read / Then it is not an xlsx
    assert rejection(out.getvalue(), tmp_path).code == "not_xlsx"


def test_a_part_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    # Given entities in the sheet's prolog (billion laughs)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>'
    )
    # When read / Then the part is refused
    refused = rejection(workbook({"Sheet1": laughs}), tmp_path)
    assert "declares a DTD" in refused.message


def test_gzip_streams_and_tells_how_far_it_has_read(tmp_path: Path) -> None:
    # Given a CSV in two gzip members
    text = b"id,x\n" + b"".join(b"%d,%d\n" % (i, i * 2) for i in range(50_000))
    packed = gzip.compress(text[:1000]) + gzip.compress(text[1000:])

    # When opened by name
    opened = open_input(io.BytesIO(packed), "in.csv.gz", work_dir=tmp_path)

    # Then the CSV comes out whole, and the position reaches the compressed size
    assert opened.stream.read() == text
    assert opened.position is not None
    assert opened.position() == len(packed)


@pytest.mark.parametrize(
    ("data", "limits", "code"),
    [
        (b"id,x\n1,2\n", Limits(), "not_gzip"),
        (gzip.compress(b"id,x\n" * 1000, mtime=0)[:-20], Limits(), "bad_gzip"),
        (gzip.compress(b"0" * (8 << 20), mtime=0), Limits(ratio_floor=1 << 20), "compression_bomb"),
        (
            gzip.compress(b"id\n" * 1000, mtime=0),
            Limits(max_expanded_bytes=1000),
            "decompressed_too_large",
        ),
    ],
    # Named by the reason: ids built from the bytes would differ between xdist workers otherwise.
    ids=["not_gzip", "bad_gzip", "compression_bomb", "decompressed_too_large"],
)
def test_bad_or_bombing_gzip_is_refused(
    data: bytes, limits: Limits, code: str, tmp_path: Path
) -> None:
    # Given a .csv.gz that is not gzip, is cut short, or expands too far
    # When read / Then the rejection names the file and the reason
    with pytest.raises(InputRejected) as caught:
        open_input(io.BytesIO(data), "in.csv.gz", work_dir=tmp_path, limits=limits).stream.read()
    assert caught.value.code == code
    assert "in.csv.gz" in caught.value.message


def test_prefixed_tags_self_closing_cells_and_escapes_read_like_excel_shows_them(
    tmp_path: Path,
) -> None:
    # Given a sheet as some generators write it: an `x:` prefix, attributes with prefixes and
    # single quotes, a self-closing styled cell, entities and Excel's _xHHHH_ escape
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{ns}"><x:sheetData>'
        '<x:row r="1" x14ac:dyDescent="0.25"><x:c r="A1" t="inlineStr"><x:is><x:t>a &amp; b'
        "</x:t></x:is></x:c><x:c r='B1' t=\"inlineStr\"><x:is><x:t>line_x000D_end</x:t></x:is>"
        '</x:c></x:row><x:row r="2"><x:c r="A2" s="0"/><x:c r="B2"><x:f>1+1</x:f><x:v>2</x:v>'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    )

    # When read
    rows = rows_of(workbook({"S": sheet}), "book.xlsx", tmp_path)

    # Then every cell lands in its column with its text decoded
    assert rows == [["a & b", "line\rend"], ["", "2"]]


def test_reading_a_workbook_tells_progress_how_far_into_the_file_it_is(tmp_path: Path) -> None:
    # Given a workbook of 3,000 rows
    sheet = sheet_xml([(n, [cell(f"A{n}", n), cell(f"B{n}", n * 0.5)]) for n in range(1, 3001)])
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook({"Sheet1": sheet}))

    # When it is opened, then read to the end
    opened = open_input(path.open("rb"), "book.xlsx", work_dir=tmp_path / ".")
    assert opened.position is not None
    before = opened.position()
    lines = opened.stream.read().split(b"\r\n")

    # Then the position went from 0 to the file's size, and every row came through
    assert (before, opened.position()) == (0, path.stat().st_size)
    assert (opened.sheet, lines[2999]) == ("Sheet1", b"3000,1500.0")


def test_the_upload_pre_check_reads_every_gzip_member_of_a_head() -> None:
    # Given a .csv.gz whose header is a gzip member of its own
    packed = gzip.compress(b"id,x\n") + gzip.compress(b"1,2\n")

    # When its head is decompressed / Then the rows of the second member are there too
    assert gunzip_head(packed, "in.csv.gz", whole=True) == b"id,x\n1,2\n"
