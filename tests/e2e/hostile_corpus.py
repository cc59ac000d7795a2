"""A corpus of hostile input files, generated (never committed as binaries).

Each entry is a file a new user or a careless partner could send: odd encodings, delimiters,
quoting, line endings, sizes and widths, formula text, XML-invalid characters, binary data,
archives named .csv, names that play tricks, and the findings of issue 14. Every one must end
in a final state with a reason, never crash the pipeline, never produce a formula cell.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tests.e2e.e2e_support import feature_frame

SUBMIT = "api"  # POST /jobs + presigned POST, as the web page does
DROP = "dropbox"


@dataclass(frozen=True)
class Hostile:
    name: str  # the test id
    filename: str  # what the user calls the file (POST /jobs `filename`, or the dropped key)
    build: Callable[[], bytes]
    via: str = SUBMIT
    refused_at_submit: bool = False  # POST /jobs must answer 422 for this filename
    starts_no_job: bool = False  # a dropped key outside the rules: ignored, nothing written
    engine_fix: bool = False  # fixed by the `engine` branch (issue 14 items 1-3)


@lru_cache(maxsize=1)
def header() -> list[str]:
    return list(feature_frame().columns)


def rows(n: int, start: int = 0) -> list[list[str]]:
    frame = feature_frame()
    return [[repr(float(v)) for v in frame.iloc[(start + i) % len(frame)]] for i in range(n)]


def csv_text(
    n: int = 3,
    *,
    sep: str = ",",
    eol: str = "\n",
    extra: tuple[str, list[str]] | None = None,
    cols: list[str] | None = None,
) -> str:
    names = list(cols or header())
    body = rows(n)
    if extra is not None:
        names.append(extra[0])
        body = [[*row, extra[1][i % len(extra[1])]] for i, row in enumerate(body)]
    return eol.join(sep.join(line) for line in [names, *body]) + eol


def utf8(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def with_comment(values: list[str], n: int = 4) -> Callable[[], bytes]:
    """A valid file plus an extra text column `comment` holding `values` (kept in the output)."""
    quoted = ['"' + v.replace('"', '""') + '"' for v in values]
    return utf8(csv_text(n, extra=("comment", quoted)))


def first_value_replaced(value: str) -> Callable[[], bytes]:
    def build() -> bytes:
        lines = csv_text(3).split("\n")
        cells = lines[1].split(",")
        cells[0] = value
        lines[1] = ",".join(cells)
        return "\n".join(lines).encode()

    return build


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", csv_text(3))
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(header())
    for row in rows(2):
        book.active.append([float(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.csv", b"0" * 5_000_000)
    return buffer.getvalue()


def workbook_with(extra: dict[str, bytes], content_type: bytes | None = None) -> bytes:
    """The good workbook with parts added, or its main content type replaced."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename in extra:
                continue
            data = source.read(item)
            if content_type and item.filename == "[Content_Types].xml":
                main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
                data = data.replace(main, content_type)
            target.writestr(item.filename, data)
        for name, data in extra.items():
            target.writestr(name, data)
    return buffer.getvalue()


def huge_shared_strings() -> bytes:
    """70 MB of shared strings (over the 64 MiB limit) that compress ~30-fold: not a zip bomb."""
    rng = random.Random(7)
    items = b"".join(
        b"<si><t>%s%s</t></si>" % (b"y" * 80, rng.randbytes(4).hex().encode())
        for _ in range(700_000)
    )
    return workbook_with({"xl/sharedStrings.xml": b"<sst>" + items + b"</sst>"})


def random_bytes(n: int, seed: int) -> Callable[[], bytes]:
    return lambda: random.Random(seed).randbytes(n)


def wide(columns: int) -> Callable[[], bytes]:
    def build() -> bytes:
        names = header() + [f"x{i}" for i in range(columns - len(header()))]
        values = rows(1)[0] + ["1"] * (columns - len(header()))
        return (",".join(names) + "\n" + ",".join(values) + "\n").encode()

    return build


def open_quote_then_newlines(size: int) -> Callable[[], bytes]:
    """Finding 1: a header, one row, then `"` followed by newlines (quadratic before the fix)."""
    return lambda: (csv_text(1) + '"' + "\n" * size).encode()


def long_quoted_field(length: int) -> Callable[[], bytes]:
    return with_comment(["x" * length], n=1)


CORPUS: list[Hostile] = [
    # ---- encodings
    Hostile("utf8_bom", "bom.csv", lambda: b"\xef\xbb\xbf" + csv_text().encode()),
    Hostile("utf16_le_bom", "utf16le.csv", lambda: csv_text().encode("utf-16")),
    Hostile("utf16_be", "utf16be.csv", lambda: csv_text().encode("utf-16-be")),
    Hostile("utf32", "utf32.csv", lambda: csv_text().encode("utf-32")),
    Hostile(
        "latin1_value", "latin1.csv", lambda: csv_text(extra=("note", ["café"])).encode("latin-1")
    ),
    Hostile(
        "cp1252_quotes_header",
        "cp1252.csv",
        lambda: csv_text(extra=("“note”", ["a"])).encode("cp1252"),
    ),
    Hostile("invalid_utf8", "invalid.csv", lambda: csv_text().encode() + b"\xff\xfe\xfa,\x80\n"),
    Hostile(
        "overlong_utf8",
        "overlong.csv",
        lambda: csv_text(extra=("note", ["a"])).encode() + b"\xc0\xaf\n",
    ),
    Hostile(
        "surrogate_utf8",
        "surrogate.csv",
        lambda: csv_text().encode().replace(b"\n", b"\xed\xa0\x80\n", 2),
    ),
    Hostile("nul_byte", "nul.csv", lambda: csv_text().encode().replace(b",", b",\x00", 1)),
    # ---- delimiters
    Hostile("semicolon", "semicolon.csv", utf8(csv_text(sep=";"))),
    Hostile("tab", "tab.csv", utf8(csv_text(sep="\t"))),
    Hostile("pipe", "pipe.csv", utf8(csv_text(sep="|"))),
    Hostile("comma_decimals", "decimals.csv", utf8(csv_text(sep=";").replace(".", ","))),
    Hostile("trailing_delimiter", "trailing.csv", utf8(csv_text().replace("\n", ",\n"))),
    Hostile("mixed_delimiters", "mixed.csv", utf8(csv_text().replace(",", ";", 40))),
    # ---- quoting
    Hostile(
        "all_quoted",
        "quoted.csv",
        utf8(
            "\n".join(
                ",".join(f'"{c}"' for c in line.split(","))
                for line in csv_text().strip().split("\n")
            )
            + "\n"
        ),
    ),
    Hostile("unbalanced_quote_at_end", "unbalanced.csv", utf8(csv_text() + '"1.0,2.0\n')),
    Hostile("quote_inside_unquoted", "inner_quote.csv", first_value_replaced('1"2')),
    Hostile("doubled_quotes_text", "doubled.csv", with_comment(['he said ""hi""'])),
    Hostile(
        "quoted_newlines_in_text",
        "multiline.csv",
        with_comment(["line one\nline two\r\nline three"]),
    ),
    Hostile(
        "open_quote_then_newlines",
        "quadratic.csv",
        open_quote_then_newlines(100_000),
        engine_fix=True,
    ),
    Hostile(
        "quoted_field_over_131072", "longfield.csv", long_quoted_field(140_000), engine_fix=True
    ),
    # ---- line endings
    Hostile("crlf", "crlf.csv", utf8(csv_text(eol="\r\n"))),
    Hostile("cr_only", "cr.csv", utf8(csv_text(eol="\r")), engine_fix=True),
    Hostile("mixed_line_endings", "mixed_eol.csv", utf8(csv_text(4).replace("\n", "\r\n", 2))),
    Hostile("no_trailing_newline", "no_eol.csv", utf8(csv_text().rstrip("\n"))),
    Hostile("blank_lines_between_rows", "blank_lines.csv", utf8(csv_text().replace("\n", "\n\n"))),
    Hostile("many_trailing_blank_lines", "trailing_blank.csv", utf8(csv_text() + "\n" * 5_000)),
    # ---- sizes and widths
    Hostile("empty", "empty.csv", lambda: b""),
    Hostile("whitespace_only", "spaces.csv", lambda: b"   \n\t\n  "),
    Hostile("header_only", "header_only.csv", utf8(",".join(header()) + "\n")),
    Hostile("one_row", "one_row.csv", utf8(csv_text(1))),
    Hostile("five_thousand_rows", "rows5000.csv", utf8(csv_text(5_000))),
    Hostile(
        "extra_cell_in_a_row",
        "extra_cell.csv",
        utf8(csv_text().replace("\n", ",9.9\n", 2).replace(",9.9\n", "\n", 1)),
    ),
    Hostile(
        "missing_cell_in_a_row",
        "short_row.csv",
        utf8(
            "\n".join(
                line.rsplit(",", 1)[0] if i == 2 else line
                for i, line in enumerate(csv_text().split("\n"))
            )
        ),
    ),
    Hostile(
        "duplicate_column_name",
        "dup_col.csv",
        utf8(csv_text(cols=[header()[0], *header()[1:-1], header()[0]])),
    ),
    Hostile(
        "missing_required_column",
        "missing_col.csv",
        utf8("\n".join(",".join(line.split(",")[1:]) for line in csv_text().split("\n"))),
    ),
    Hostile(
        "header_name_10k_chars", "long_header.csv", utf8(csv_text(extra=("h" * 10_000, ["a"])))
    ),
    Hostile("wider_than_xfd_16384", "wide.csv", wide(17_000), engine_fix=True),
    Hostile(
        "integer_of_309_digits", "digits.csv", first_value_replaced("9" * 309), engine_fix=True
    ),
    Hostile("float_1e400", "huge_float.csv", first_value_replaced("1e400")),
    Hostile("nan_and_inf", "nan.csv", first_value_replaced("nan")),
    Hostile("infinity", "inf.csv", first_value_replaced("-Infinity")),
    Hostile("hex_number", "hex.csv", first_value_replaced("0x1F")),
    Hostile("number_with_spaces", "spaced.csv", first_value_replaced("  12.5  ")),
    # ---- formula text (kept as text in the output, never a formula)
    Hostile(
        "formula_equals", "formula_eq.csv", with_comment(["=1+1", '=HYPERLINK("http://x","y")'])
    ),
    Hostile(
        "formula_dde", "formula_dde.csv", with_comment(["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0"])
    ),
    Hostile(
        "formula_plus_minus_at", "formula_pm.csv", with_comment(["+1+2", "-2+3", "@SUM(A1:A2)"])
    ),
    Hostile(
        "formula_after_whitespace", "formula_ws.csv", with_comment(["\t=1+1", "\r=1+1", " =1+1"])
    ),
    Hostile(
        "formula_in_header", "formula_header.csv", utf8(csv_text(extra=("=SUM(A1:A9)", ["a"])))
    ),
    Hostile("formula_in_numeric_column", "formula_num.csv", first_value_replaced("=1+1")),
    # ---- characters XML cannot hold
    Hostile("u_fffe_in_value", "fffe.csv", with_comment(["a\ufffeb"]), engine_fix=True),
    Hostile(
        "u_ffff_in_header", "ffff.csv", utf8(csv_text(extra=("note\uffff", ["a"]))), engine_fix=True
    ),
    Hostile("control_chars_in_value", "control.csv", with_comment(["a\x01b\x08c\x1fd"])),
    Hostile("vertical_tab_form_feed", "vt.csv", with_comment(["a\x0bb\x0cc"])),
    Hostile(
        "markup_in_value",
        "markup.csv",
        with_comment(["<script>alert(1)</script>", "]]><x/>", "&amp;&#0;"]),
    ),
    Hostile("bidi_override_in_value", "bidi.csv", with_comment(["\u202egnp.exe", "\u200b\u200d"])),
    # ---- binary
    Hostile("random_bytes", "random.csv", random_bytes(4096, 1)),
    Hostile(
        "png_header", "image.csv", lambda: b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(512)
    ),
    Hostile(
        "pdf_header", "doc.csv", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    ),
    Hostile("elf_header", "program.csv", lambda: b"\x7fELF\x02\x01\x01" + bytes(200)),
    # ---- archives named .csv
    Hostile("zip_as_csv", "archive.csv", zipped),
    Hostile("gzip_as_csv", "gzipped.csv", lambda: gzip.compress(csv_text().encode())),
    Hostile("xlsx_as_csv", "workbook.csv", xlsx_bytes),
    Hostile("zip_bomb_as_csv", "bomb.csv", zip_bomb),
    # ---- workbooks and gzip (issue 16): the kind the name promises, or refused with the reason
    Hostile("xlsx_good", "workbook.xlsx", xlsx_bytes),
    Hostile("csv_gz_good", "rows.csv.gz", lambda: gzip.compress(csv_text().encode())),
    Hostile("xlsx_zip_bomb", "bomb.xlsx", lambda: workbook_with({"xl/pad.bin": bytes(64 << 20)})),
    Hostile("xlsx_huge_shared_strings", "strings.xlsx", huge_shared_strings),
    Hostile(
        "xlsx_encrypted", "locked.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    ),
    Hostile(
        "xlsm_content_type",
        "macros.xlsx",
        lambda: workbook_with({}, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    ),
    Hostile(
        "xlsx_vba_project", "vba.xlsx", lambda: workbook_with({"xl/vbaProject.bin": bytes(64)})
    ),
    Hostile("xlsx_really_csv", "really-csv.xlsx", utf8(csv_text())),
    Hostile("xlsx_really_png", "picture.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + bytes(256)),
    Hostile("csv_gz_really_csv", "plain.csv.gz", utf8(csv_text())),
    Hostile("csv_gz_bomb", "bomb.csv.gz", lambda: gzip.compress(b"0," * (40 << 20))),
    Hostile(
        "dropped_xlsx_bomb",
        "bomb.xlsx",
        lambda: workbook_with({"xl/p.bin": bytes(64 << 20)}),
        via=DROP,
    ),
    # ---- names with path and display tricks
    Hostile(
        "name_path_traversal", "../../etc/passwd.csv", utf8(csv_text()), refused_at_submit=True
    ),
    Hostile("name_backslash_path", "..\\..\\win.csv", utf8(csv_text()), refused_at_submit=True),
    Hostile("name_control_char", "bell\x07.csv", utf8(csv_text()), refused_at_submit=True),
    Hostile("name_newline", "two\nlines.csv", utf8(csv_text()), refused_at_submit=True),
    Hostile(
        "name_rtl_override", "report\u202evsc.exe.csv", utf8(csv_text()), refused_at_submit=True
    ),
    Hostile("name_formula", "=cmd()+A1.csv", utf8(csv_text())),
    Hostile("name_markup", "<img src=x onerror=alert(1)>.csv", utf8(csv_text())),
    Hostile("name_zero_width", "sc\u200bores.csv", utf8(csv_text()), refused_at_submit=True),
    Hostile("name_emoji_and_accents", "résumé 📈 ünïcode.csv", utf8(csv_text())),
    Hostile("name_reserved_device", "CON.csv", utf8(csv_text())),
    Hostile("name_255_chars", "n" * 251 + ".csv", utf8(csv_text())),
    Hostile(
        "dropped_dot_segments", "dots/../../x.csv", utf8(csv_text()), via=DROP, starts_no_job=True
    ),
    Hostile("dropped_deep_name", "a/b/c/d/e/f/g/h/scores.csv", utf8(csv_text()), via=DROP),
    Hostile("dropped_binary", "binary.csv", random_bytes(2048, 3), via=DROP),
    Hostile("dropped_formula_text", "formulas.csv", with_comment(["=1+1", "@x"]), via=DROP),
]
