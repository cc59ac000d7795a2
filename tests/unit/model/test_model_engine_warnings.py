"""Problems that were scored anyway: counted, listed with line and column, and in the workbook."""

from __future__ import annotations

from batchscore_model.engine import WARNINGS_LISTED


def test_imputed_cells_and_values_outside_the_training_range_are_warnings(score) -> None:
    # Given: a is ~N(0, 1) and b ~N(5, 2) in training
    csv_text = "a,b\n0.5,5\n,5\n-1e9,5\n0.1,NA\n"
    # When
    summary, workbook = score(csv_text)
    # Then: every row is scored, and each warning says where and why
    assert summary.rows_scored == 4
    assert summary.warnings_total == 3
    assert [(w["line"], w["column"]) for w in summary.warnings] == [(3, "a"), (4, "a"), (5, "b")]
    assert "imputed" in summary.warnings[0]["message"]
    assert "-1000000000.0 is outside the training range" in summary.warnings[1]["message"]
    sheet = list(workbook["warnings"].iter_rows(values_only=True))
    assert sheet[0] == ("line", "column", "message")
    assert [row[:2] for row in sheet[1:]] == [(3, "a"), (4, "a"), (5, "b")]
    items = dict(list(workbook["summary"].iter_rows(values_only=True))[1:])
    assert items["warnings"] == 3


def test_a_clean_file_has_no_warnings_sheet(score) -> None:
    # Given / When
    summary, workbook = score("a,b\n0.5,5\n-0.5,4\n")
    # Then
    assert (summary.warnings_total, summary.warnings) == (0, [])
    assert "warnings" not in workbook.sheetnames


def test_every_warning_is_counted_and_the_first_thousand_are_listed(score) -> None:
    # Given: 1,500 out-of-range cells over several chunks
    csv_text = "a,b\n" + "50,5\n" * 1500
    # When
    summary, workbook = score(csv_text, chunk_rows=400)
    # Then: the summary lists 1,000 (for the job), the sheet every one
    assert summary.warnings_total == 1500
    assert len(summary.warnings) == WARNINGS_LISTED
    assert [w["line"] for w in summary.warnings[:3]] == [2, 3, 4]
    assert workbook["warnings"].max_row == 1501


def test_warnings_are_also_listed_when_bad_rows_are_skipped(score) -> None:
    # Given: one bad row, one imputed cell
    csv_text = "a,b\n0.5,5\nx,5\n0.2,\n" + "0.1,5\n" * 30
    # When
    summary, workbook = score(csv_text, bad_rows="skip")
    # Then: the bad row is an error, not a warning
    assert [(p["line"], p["column"]) for p in summary.problems] == [(3, "a")]
    assert [(w["line"], w["column"]) for w in summary.warnings] == [(4, "b")]
    assert workbook.sheetnames == ["predictions", "summary", "errors", "warnings", "columns"]
