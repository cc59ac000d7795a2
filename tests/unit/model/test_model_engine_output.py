"""What the workbook holds: cells, order, styling, sheets, split, formula-like text."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from batchscore_model.bundle import Bundle
from batchscore_model.engine import score_csv


def rows(sheet) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_cells_are_the_input_unchanged_then_prediction_and_probabilities(score, bundle) -> None:
    # Given
    csv_text = "id,b,a\nx1,5.25,0.5\nx2,4,-1.75\n"
    # When
    _, workbook = score(csv_text)
    # Then
    sheet = workbook["predictions"]
    table = rows(sheet)
    expected = bundle.predict_frame(
        __import__("pandas").DataFrame({"a": [0.5, -1.75], "b": [5.25, 4.0]})
    )
    assert table[0] == ("id", "b", "a", "prediction", "probability_no", "probability_yes")
    assert table[1][:3] == ("x1", 5.25, 0.5)
    assert table[2][:3] == ("x2", 4, -1.75)
    assert [row[3] for row in table[1:]] == list(expected.labels)
    assert [row[4:] for row in table[1:]] == [tuple(p) for p in expected.probabilities.tolist()]


def test_numbers_are_numbers_and_text_is_text(score) -> None:
    # Given
    csv_text = "a,b,code\n1.5,2,007\n"
    # When
    _, workbook = score(csv_text)
    # Then
    sheet = workbook["predictions"]
    assert (sheet["A2"].data_type, sheet["B2"].data_type, sheet["C2"].data_type) == ("n", "n", "s")
    assert sheet["C2"].value == "007"


def test_plain_numeral_rows_are_written_as_typed(score) -> None:
    # Given: only model columns, so rows take the numeral fast path
    csv_text = "a,b\n1e-3,-2.50\n.5,+7\n"
    # When
    _, workbook = score(csv_text)
    # Then
    assert [row[:2] for row in rows(workbook["predictions"])[1:]] == [(0.001, -2.5), (0.5, 7)]


@pytest.mark.parametrize(
    "text", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "=HYPERLINK(x)"]
)
def test_formula_like_text_is_stored_as_text(score, text: str) -> None:
    # Given
    quoted = '"' + text.replace('"', '""') + '"'
    csv_text = f"a,b,note\n1,2,{quoted}\n"
    # When
    _, workbook = score(csv_text)
    # Then
    cell = workbook["predictions"]["C2"]
    assert (cell.data_type, cell.value) == ("s", text)


def test_header_is_styled_frozen_filtered_and_sized(score) -> None:
    # Given
    csv_text = "a,b,a_rather_long_column_name\n1,2,x\n3,4,y\n"
    # When
    _, workbook = score(csv_text)
    # Then
    sheet = workbook["predictions"]
    assert sheet["A1"].font.b is True
    assert sheet["A1"].fill.fgColor.rgb == "FF1F4E78"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet.column_dimensions["C"].width == pytest.approx(len("a_rather_long_column_name") + 2)


def test_missing_values_are_empty_cells_and_imputed(score) -> None:
    # Given
    csv_text = "a,b\n,2\nNA,3\n1,\n"
    # When
    summary, workbook = score(csv_text)
    # Then
    table = rows(workbook["predictions"])
    assert [row[:2] for row in table[1:]] == [(None, 2), (None, 3), (1, None)]
    assert summary.rows_scored == 3
    assert all(row[2] in ("no", "yes") for row in table[1:])


def test_summary_sheet_lists_job_model_counts_and_timings(score) -> None:
    # Given
    csv_text = "a,b\n1,5\n-1,5\n"  # inside the training range: no warnings sheet
    # When
    summary, workbook = score(csv_text, job_id="job-42")
    # Then
    items = dict(rows(workbook["summary"])[1:])
    assert workbook.sheetnames == ["predictions", "summary", "columns"]
    assert items["job_id"] == "job-42"
    assert items["model_version"] == "test-1"
    assert (items["rows_read"], items["rows_scored"], items["rows_rejected"]) == (2, 2, 0)
    assert items["prediction yes"] + items["prediction no"] == 2
    assert {"seconds read_and_check", "seconds predict", "seconds write"} <= items.keys()
    assert summary.prediction_counts == {
        "no": items["prediction no"],
        "yes": items["prediction yes"],
    }


def test_rows_past_the_sheet_limit_continue_on_further_sheets(score) -> None:
    # Given: 3 data rows per sheet, 8 rows
    csv_text = "a,b\n" + "".join(f"{i},1\n" for i in range(8))
    # When
    summary, workbook = score(csv_text, sheet_row_limit=4, chunk_rows=3)
    # Then
    names = ["predictions", "predictions_2", "predictions_3"]
    # a = 3..7 is past the training range: scored, with warnings
    assert workbook.sheetnames == [*names, "summary", "warnings", "columns"]
    assert summary.sheets == [*names, "summary", "warnings", "columns"]
    assert [rows(workbook[name])[0][:2] for name in names] == [("a", "b")] * 3
    written = [row[0] for name in names for row in rows(workbook[name])[1:]]
    assert written == list(range(8))
    assert workbook["predictions_3"].freeze_panes == "A2"


def test_exactly_a_full_sheet_keeps_its_last_row(score) -> None:
    # Given: limit 4 rows = header + 3, and exactly 3 data rows
    csv_text = "a,b\n1,1\n2,1\n-1,1\n"
    # When
    _, workbook = score(csv_text, sheet_row_limit=4)
    # Then
    assert workbook.sheetnames == ["predictions", "summary", "columns"]
    assert [row[0] for row in rows(workbook["predictions"])[1:]] == [1, 2, -1]


def test_chunks_do_not_change_the_result(score) -> None:
    # Given
    csv_text = "a,b,t\n" + "".join(f'{i},{i % 5},"t{i}"\n' for i in range(50))
    # When
    _, small = score(csv_text, chunk_rows=7)
    table_small = rows(small["predictions"])
    _, large = score(csv_text, chunk_rows=1000)
    # Then
    assert table_small == rows(large["predictions"])


def test_utf8_bom_semicolons_crlf_quotes_and_trailing_blank_lines(score) -> None:
    # Given
    data = '\ufeffa;b;note\r\n1;2;"two\r\nlines; ok"\r\n3;4;"say ""hi"""\r\n\r\n\r\n'.encode()
    # When
    summary, workbook = score(data)
    # Then
    table = rows(workbook["predictions"])
    assert table[0][:3] == ("a", "b", "note")
    assert [row[:3] for row in table[1:]] == [(1, 2, "two\r\nlines; ok"), (3, 4, 'say "hi"')]
    assert summary.rows_read == 2


def test_tab_delimited_files_are_read(score) -> None:
    # Given
    csv_text = "a\tb\n1\t2\n"
    # When
    _, workbook = score(csv_text)
    # Then
    assert rows(workbook["predictions"])[1][:2] == (1, 2)


def test_progress_is_reported_after_each_chunk(score) -> None:
    # Given
    csv_text = "a,b\n" + "".join(f"{i},1\n" for i in range(10))
    calls: list[tuple[int, int]] = []
    # When
    score(csv_text, chunk_rows=4, progress=lambda done, read: calls.append((done, read)))
    # Then
    assert [done for done, _ in calls][-1] == 10
    assert len(calls) >= 2
    assert calls[-1][1] == len(csv_text)


def test_the_sink_may_be_a_binary_stream(bundle: Bundle) -> None:
    # Given
    sink = io.BytesIO()
    # When
    summary = score_csv(io.BytesIO(b"a,b\n1,2\n"), bundle, sink)
    # Then
    assert summary.rows_scored == 1
    assert sink.getvalue()[:2] == b"PK"


def test_the_source_needs_only_read(bundle: Bundle, tmp_path: Path) -> None:
    # Given: a stream like botocore's StreamingBody, that returns short reads and cannot seek
    class Body:
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def read(self, size: int = -1) -> bytes:
            return self._data.read(min(size, 5))

    # When
    summary = score_csv(Body(b"a,b\n1,2\n3,4\n"), bundle, tmp_path / "o.xlsx")  # type: ignore[arg-type]
    # Then
    assert summary.rows_scored == 2


def test_the_sink_may_be_a_stream_that_cannot_seek(bundle: Bundle) -> None:
    # Given: a write-only sink, like a pipe into a multipart upload
    class Pipe:
        def __init__(self) -> None:
            self.data = io.BytesIO()

        def write(self, chunk: bytes) -> int:
            return self.data.write(chunk)

        def flush(self) -> None:
            return None

    pipe = Pipe()
    # When
    score_csv(io.BytesIO(b"a,b\n1,2\n3,4\n"), bundle, pipe)  # type: ignore[arg-type]
    # Then
    workbook = openpyxl.load_workbook(io.BytesIO(pipe.data.getvalue()))
    assert [row[:2] for row in rows(workbook["predictions"])[1:]] == [(1, 2), (3, 4)]
