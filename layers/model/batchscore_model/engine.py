"""The scoring engine: a CSV stream in, an xlsx workbook with predictions out, in bounded memory."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from pydantic import BaseModel, Field

from batchscore_model.bundle import Bundle, Prediction
from batchscore_model.chunks import CHUNK_CHARS, ChunkReader, TextChunk
from batchscore_model.csvcheck import (
    MAX_COLUMNS,
    HeaderMatch,
    csv_error,
    header_problems,
    is_blank,
    match_header,
    records,
    sniff_delimiter,
    split_lines,
)
from batchscore_model.deflate import DEFAULT_LEVEL
from batchscore_model.drift import DriftMonitor
from batchscore_model.drift_sheet import DRIFT_SHEET, write_drift_sheet
from batchscore_model.errors import InputRejected, Problem, problem
from batchscore_model.parse import Layout, ParsedChunk, invalid_character, parse_chunk
from batchscore_model.xlsx import EXCEL_MAX_ROWS, XlsxStreamWriter, column_widths
from batchscore_model.xlsx_cells import (
    INVALID_XML,
    Column,
    Labels,
    Numbers,
    NumeralRows,
    Numerals,
    Texts,
)

DATA_SHEET = "predictions"
SUMMARY_SHEET = "summary"
ERRORS_SHEET = "errors"
WARNINGS_SHEET = "warnings"
MAX_ERROR_SHEET_ROWS = 100_000
MAX_WARNING_SHEET_ROWS = 10_000  # the count covers every warning
WARNINGS_LISTED = 1_000  # in the summary (and so on the job); the sheet lists more

Progress = Callable[[int, int], None]


class EngineOptions(BaseModel):
    chunk_rows: int | None = Field(default=None, ge=1)  # at most this many lines per chunk
    chunk_chars: int = Field(default=CHUNK_CHARS, ge=1)  # about this much text per chunk
    workers: int | None = Field(default=None, ge=1)  # compressing threads; None: every core
    compresslevel: int = Field(default=DEFAULT_LEVEL, ge=0, le=9)
    bad_rows: Literal["reject", "skip"] = "reject"
    max_bad_fraction: float = Field(default=0.05, ge=0.0, le=1.0)
    sheet_row_limit: int = Field(default=EXCEL_MAX_ROWS, ge=2, le=EXCEL_MAX_ROWS)
    max_details: int = Field(default=100, ge=1)
    drift: bool = True  # measure drift against the bundle's reference (docs/drift.md)


class ScoreSummary(BaseModel):
    job_id: str | None
    model_version: str
    rows_read: int
    rows_scored: int
    rows_rejected: int
    prediction_counts: dict[str, int]
    prediction_stats: dict[str, float]
    sheets: list[str]
    timings: dict[str, float]
    problems: Sequence[Mapping[str, object]]
    warnings: Sequence[Mapping[str, object]] = ()  # scored anyway: imputed, out of range, ...
    warnings_total: int = 0
    # Header names read as the schema's (csvcheck.match_header): "written", "name", "why".
    column_matches: Sequence[Mapping[str, str]] = ()
    drift: dict[str, object] | None = None  # the job's `drift` object; None when not measured

    def one_line(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.prediction_counts.items())
        return (
            f"rows_read={self.rows_read} rows_scored={self.rows_scored} "
            f"rows_rejected={self.rows_rejected} model={self.model_version} "
            f"seconds={self.timings['total']:.2f} sheets={len(self.sheets)}"
            + (f" predictions: {counts}" if counts else "")
        )


def score_csv(
    source: BinaryIO,
    bundle: Bundle,
    sink: BinaryIO | str | Path,
    *,
    progress: Progress | None = None,
    job_id: str | None = None,
    options: EngineOptions | None = None,
    column_map: Mapping[str, str] | None = None,
) -> ScoreSummary:
    """Score every row of `source` into the workbook `sink`; raises `InputRejected`.

    Header names are matched to the schema's (`csvcheck.match_header`, with `column_map`)."""
    run = _Run(bundle, options or EngineOptions(), job_id)
    reader = ChunkReader(
        source, chunk_rows=run.options.chunk_rows, chunk_chars=run.options.chunk_chars
    )
    chunks = iter(reader)
    layout, first, header_line, matched = _read_header(chunks, bundle, column_map)
    run.matched = matched
    reader.header = layout.header
    run.warn(*_header_warnings(layout, header_line))
    writer = XlsxStreamWriter(
        sink,
        sheet_row_limit=run.options.sheet_row_limit,
        compresslevel=run.options.compresslevel,
        workers=run.options.workers,
    )
    try:
        summary = run.execute(writer, layout, _chain(first, chunks), progress, header_line)
    except BaseException:
        writer.abort()
        if isinstance(sink, str | Path):
            Path(sink).unlink(missing_ok=True)
        raise
    return summary


def _chain(first: TextChunk | None, rest: Iterator[TextChunk]) -> Iterator[TextChunk]:
    if first is not None:
        yield first
    yield from rest


def _read_header(
    chunks: Iterator[TextChunk], bundle: Bundle, column_map: Mapping[str, str] | None = None
) -> tuple[Layout, TextChunk | None, int, HeaderMatch]:
    """The header record of the first chunk that holds one, and the rest of that chunk."""
    max_columns = MAX_COLUMNS - len(bundle.output_names)
    for chunk in chunks:
        delimiter = sniff_delimiter(chunk.text)
        reader = records(split_lines(chunk.text), delimiter)
        try:
            for row in reader:
                if is_blank(row):
                    continue
                header_line = chunk.first_line + reader.line_num - 1
                matched = match_header(row, bundle.info.feature_names, column_map, line=header_line)
                header = matched.names
                rejected = header_problems(
                    header, bundle.info.required_columns, line=header_line, max_columns=max_columns
                )
                if rejected:
                    raise rejected
                rest = _after_lines(chunk.text, reader.line_num)
                layout = Layout(header=header, delimiter=delimiter, info=bundle.info)
                remaining = TextChunk(rest, header_line + 1, chunk.bytes_read) if rest else None
                return layout, remaining, header_line, matched
        except csv.Error as exc:
            raise csv_error(exc, chunk.first_line + reader.line_num - 1) from exc
    raise InputRejected("empty_file", "the file is empty", [problem("empty file")])


def _header_warnings(layout: Layout, line: int) -> tuple[list[Problem], int]:
    """Optional model columns absent (every row imputed) and header names XML cannot carry."""
    listed: list[Problem] = []
    present = set(layout.header)
    for spec in layout.info.columns:
        if spec.name not in present and layout.info.accepts_missing:
            message = f"line {line}: optional column {spec.name!r} is absent; every row imputed"
            listed.append(problem(message, line=line, column=spec.name))
    for name in layout.header:
        found = INVALID_XML.search(name)
        if found:
            listed.append(invalid_character(found.group(), name, line))
    return listed, len(listed)


def _after_lines(text: str, count: int) -> str:
    position = -1
    for _ in range(count):
        position = text.find("\n", position + 1)
        if position < 0:
            return ""
    return text[position + 1 :]


class _Run:
    """The counters and clocks of one `score_csv` call."""

    def __init__(self, bundle: Bundle, options: EngineOptions, job_id: str | None) -> None:
        self.bundle = bundle
        self.options = options
        self.job_id = job_id
        self.rows_read = 0
        self.rows_scored = 0
        self.rows_rejected = 0
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.warnings_total = 0
        self.counts: Counter[str] = Counter()
        self.stats = {"min": np.inf, "max": -np.inf, "sum": 0.0}
        self.timings = {"read_and_check": 0.0, "predict": 0.0, "write": 0.0}
        self.matched: HeaderMatch | None = None  # the workbook keeps the names as written
        self.drift = DriftMonitor(bundle.reference) if options.drift else None

    def execute(
        self,
        writer: XlsxStreamWriter,
        layout: Layout,
        chunks: Iterator[TextChunk],
        progress: Progress | None,
        header_line: int,
    ) -> ScoreSummary:
        started = time.perf_counter()
        written = self.matched.written if self.matched else layout.header
        header = written + self.bundle.output_names
        clock = time.perf_counter()
        begun = False
        for chunk in chunks:
            room = MAX_WARNING_SHEET_ROWS - len(self.warnings)
            parsed = parse_chunk(chunk, layout, warnings_room=room)
            self._account(parsed)
            self.timings["read_and_check"] += time.perf_counter() - clock
            clock = time.perf_counter()
            prediction = self.bundle.predict_frame(parsed.features)
            self._tally(prediction)
            if self.drift is not None:
                self.drift.update(parsed.features, prediction.labels, prediction.probabilities)
            self.timings["predict"] += time.perf_counter() - clock
            clock = time.perf_counter()
            if not begun:
                writer.begin_table(DATA_SHEET, header, _widths(header, chunk, layout))
                begun = True
            writer.append_columns(_columns(parsed, layout, prediction, self.bundle), parsed.rows)
            self.timings["write"] += time.perf_counter() - clock
            if progress is not None:
                progress(self.rows_read, chunk.bytes_read)
            clock = time.perf_counter()
        self._final_checks(header_line)
        clock = time.perf_counter()
        if not begun:
            writer.begin_table(DATA_SHEET, header, column_widths(header, []))
        writer.end_table()
        self.timings["write"] += time.perf_counter() - clock
        self.timings["total"] = time.perf_counter() - started
        sheets = [*writer.sheet_names, SUMMARY_SHEET]
        sheets += [ERRORS_SHEET] if self.problems else []
        sheets += [WARNINGS_SHEET] if self.warnings else []
        drift = self.drift.result() if self.drift is not None else None
        # No reference, no sheet: the job says `unavailable`, the workbook stays as it was.
        sheets += [DRIFT_SHEET] if drift is not None and self.bundle.reference else []
        summary = self._summary(sheets)
        summary.drift = drift.to_job() if drift is not None else None
        writer.write_sheet(SUMMARY_SHEET, ["item", "value"], _summary_rows(summary), [24.0, 48.0])
        for name, listed in ((ERRORS_SHEET, self.problems), (WARNINGS_SHEET, self.warnings)):
            if listed:
                rows = [[p["line"], p["column"], p["message"]] for p in listed]
                writer.write_sheet(name, ["line", "column", "message"], rows, [10.0, 24.0, 80.0])
        if DRIFT_SHEET in sheets and drift is not None:
            write_drift_sheet(writer, drift)
        writer.close()
        summary.timings["total"] = round(time.perf_counter() - started, 4)
        return summary

    def warn(self, listed: list[Problem], total: int) -> None:
        room = MAX_WARNING_SHEET_ROWS - len(self.warnings)
        self.warnings.extend(listed[: max(room, 0)])
        self.warnings_total += total

    def _account(self, parsed: ParsedChunk) -> None:
        self.warn(parsed.warnings, parsed.warnings_total)
        self.rows_read += parsed.rows_read
        self.rows_scored += parsed.rows
        if not parsed.problems:
            return
        if self.options.bad_rows == "reject":
            shown = parsed.problems[: self.options.max_details]
            first = shown[0]["message"]
            code = parsed.problem_code or "bad_value"
            raise InputRejected(code, f"{parsed.bad_rows} bad row(s), first: {first}", shown)
        self.rows_rejected += parsed.bad_rows
        room = MAX_ERROR_SHEET_ROWS - len(self.problems)
        self.problems.extend(parsed.problems[: max(room, 0)])

    def _tally(self, prediction: Prediction) -> None:
        if not len(prediction.labels):
            return
        if self.bundle.info.task == "classification":
            if prediction.codes is not None and self.bundle.info.classes:
                counts = np.bincount(prediction.codes, minlength=len(self.bundle.info.classes))
                self.counts.update(
                    dict(zip(self.bundle.info.classes, counts.tolist(), strict=True))
                )
                return
            labels, counts = np.unique(prediction.labels.astype(str), return_counts=True)
            self.counts.update(dict(zip(labels.tolist(), counts.tolist(), strict=True)))
            return
        values = prediction.labels.astype(np.float64)
        self.stats["min"] = min(self.stats["min"], float(values.min()))
        self.stats["max"] = max(self.stats["max"], float(values.max()))
        self.stats["sum"] += float(values.sum())

    def _final_checks(self, header_line: int) -> None:
        if self.rows_read == 0:
            message = "the file has a header but no data rows"
            raise InputRejected("header_only", message, [problem(message, line=header_line + 1)])
        limit = self.options.max_bad_fraction * self.rows_read
        if self.rows_rejected > limit:
            message = (
                f"{self.rows_rejected} of {self.rows_read} rows are bad, more than the "
                f"{self.options.max_bad_fraction:.0%} allowed"
            )
            raise InputRejected(
                "too_many_bad_rows", message, self.problems[: self.options.max_details]
            )

    def _summary(self, sheets: list[str]) -> ScoreSummary:
        stats: dict[str, float] = {}
        if self.bundle.info.task == "regression" and self.rows_scored:
            stats = {
                "min": self.stats["min"],
                "max": self.stats["max"],
                "mean": self.stats["sum"] / self.rows_scored,
            }
        classes = self.bundle.info.classes or []
        counts = {label: self.counts.get(label, 0) for label in classes}
        return ScoreSummary(
            job_id=self.job_id,
            model_version=self.bundle.version,
            rows_read=self.rows_read,
            rows_scored=self.rows_scored,
            rows_rejected=self.rows_rejected,
            prediction_counts=counts,
            prediction_stats=stats,
            sheets=sheets,
            timings={name: round(value, 4) for name, value in self.timings.items()},
            problems=self.problems[: self.options.max_details],
            warnings=self.warnings[:WARNINGS_LISTED],
            warnings_total=self.warnings_total,
            column_matches=[
                {"written": written, "name": name, "why": why}
                for written, name, why in (self.matched.matches if self.matched else [])
            ],
        )


def _summary_rows(summary: ScoreSummary) -> list[list[object]]:
    rows: list[list[object]] = [
        ["job_id", summary.job_id],
        ["model_version", summary.model_version],
        ["rows_read", summary.rows_read],
        ["rows_scored", summary.rows_scored],
        ["rows_rejected", summary.rows_rejected],
        ["warnings", summary.warnings_total],
    ]
    rows += [
        [f"column {m['written']!r}", f"read as {m['name']!r} ({m['why']})"]
        for m in summary.column_matches
    ]
    rows += [[f"prediction {label}", count] for label, count in summary.prediction_counts.items()]
    rows += [[f"prediction {name}", value] for name, value in summary.prediction_stats.items()]
    rows += [
        [f"seconds {name}", round(value, 4)]
        for name, value in summary.timings.items()
        if name != "total"
    ]
    rows.append(["sheets", ", ".join(summary.sheets)])
    rows.append(["finished_at", datetime.now(UTC).isoformat(timespec="seconds")])
    return rows


def _widths(header: list[str], chunk: TextChunk, layout: Layout) -> list[float]:
    sample = [line.split(layout.delimiter) for line in chunk.text.split("\n", 50)[:50]]
    return column_widths(header, sample)


def _columns(
    parsed: ParsedChunk, layout: Layout, prediction: Prediction, bundle: Bundle
) -> list[Column]:
    """The chunk's good rows as typed columns: the input as written, then the predictions."""
    columns: list[Column]
    if parsed.numeral_text is not None:
        columns = [NumeralRows(parsed.numeral_text, layout.delimiter)]
    else:
        columns = [
            Numerals(texts, parsed.numbers[name]) if name in layout.numeric_set else Texts(texts)
            for name, texts in zip(layout.header, parsed.texts, strict=True)
        ]
    if prediction.codes is not None and bundle.info.classes:
        columns.append(Labels.of_codes(prediction.codes, bundle.info.classes))
    elif bundle.info.task == "classification":
        columns.append(Labels(prediction.labels.astype(str).tolist()))
    else:
        columns.append(Numbers(prediction.labels.astype(np.float64)))
    if prediction.probabilities is not None:
        columns += [
            Numbers(prediction.probabilities[:, k])
            for k in range(prediction.probabilities.shape[1])
        ]
    return columns
