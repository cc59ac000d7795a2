"""The scoring engine: a CSV stream in, an xlsx workbook with predictions out, in bounded memory."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from pydantic import BaseModel, Field
from threadpoolctl import ThreadpoolController

from batchscore_model import workbook_sheets as sheets_of
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
from batchscore_model.explain import REASON_COLUMNS, Explainer, ExplainUnsupported, explainer_for
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
    explain: bool = False  # reason_1..3 columns (batchscore_model.explain)
    drift: bool = True  # measure drift against the bundle's reference (docs/drift.md)


class ScoreSummary(BaseModel):
    job_id: str | None
    model_version: str
    rows_read: int
    rows_scored: int
    rows_rejected: int
    prediction_counts: dict[str, int]
    prediction_stats: dict[str, float]
    prediction_histogram: list[
        dict[str, object]
    ] = []  # regressors: {"label", "count", "low", "high"}
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
    model_name: str | None = None,
    column_map: Mapping[str, str] | None = None,
) -> ScoreSummary:
    """Score every row of `source` into the workbook `sink`; raises `InputRejected`.

    Header names are matched to the schema's (`csvcheck.match_header`, with `column_map`)."""
    run = _Run(bundle, options or EngineOptions(), job_id, model_name)
    reader = ChunkReader(
        source, chunk_rows=run.options.chunk_rows, chunk_chars=run.options.chunk_chars
    )
    chunks = iter(reader)
    layout, first, header_line, matched = _read_header(
        chunks, bundle, column_map, len(run.extra_columns)
    )
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
        # One BLAS thread: the cores are the row encoder's and the deflate threads' (a model's
        # matrix products on a block of rows are small), and the probabilities come out the
        # same bits whatever the machine's core count.
        with _thread_pools().limit(limits=1, user_api="blas"):
            summary = run.execute(writer, layout, _chain(first, chunks), progress, header_line)
    except BaseException:
        writer.abort()
        if isinstance(sink, str | Path):
            Path(sink).unlink(missing_ok=True)
        raise
    return summary


@cache
def _thread_pools() -> ThreadpoolController:
    """The native thread pools loaded (found once: 20 ms; a limit then costs microseconds)."""
    return ThreadpoolController()


def _chain(first: TextChunk | None, rest: Iterator[TextChunk]) -> Iterator[TextChunk]:
    if first is not None:
        yield first
    yield from rest


def _read_header(
    chunks: Iterator[TextChunk],
    bundle: Bundle,
    column_map: Mapping[str, str] | None = None,
    extra_columns: int = 0,
) -> tuple[Layout, TextChunk | None, int, HeaderMatch]:
    """The header record of the first chunk that holds one, and the rest of that chunk."""
    max_columns = MAX_COLUMNS - len(bundle.output_names) - extra_columns
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

    def __init__(
        self,
        bundle: Bundle,
        options: EngineOptions,
        job_id: str | None,
        model_name: str | None = None,
    ) -> None:
        self.bundle = bundle
        self.options = options
        self.job_id = job_id
        self.model_name = model_name
        self.explainer = _explainer(bundle) if options.explain else None
        self.extra_columns = REASON_COLUMNS if self.explainer is not None else []
        self.predicted: list[np.ndarray] = []  # a regressor's predictions, for the histogram
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
        header = written + self.bundle.output_names + self.extra_columns
        scales = sheets_of.color_scales(self.bundle, len(layout.header))
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
            reasons: list[Column] = []
            if self.explainer is not None:
                reasons = [Texts(texts) for texts in self.explainer.reasons(parsed.features)]
                self.timings["explain"] = self.timings.get("explain", 0.0) + (
                    time.perf_counter() - clock
                )
                clock = time.perf_counter()
            columns = _columns(parsed, layout, prediction, self.bundle) + reasons
            if not begun:
                widths = _widths(header, chunk, layout)
                writer.begin_table(DATA_SHEET, header, widths, color_scales=scales)
                begun = True
            writer.append_columns(columns, parsed.rows)
            self.timings["write"] += time.perf_counter() - clock
            if progress is not None:
                progress(self.rows_read, chunk.bytes_read)
            clock = time.perf_counter()
        self._final_checks(header_line)
        clock = time.perf_counter()
        if not begun:
            writer.begin_table(DATA_SHEET, header, column_widths(header, []), color_scales=scales)
        writer.end_table()
        self.timings["write"] += time.perf_counter() - clock
        self.timings["total"] = time.perf_counter() - started
        sheets = [*writer.sheet_names, SUMMARY_SHEET]
        sheets += [ERRORS_SHEET] if self.problems else []
        sheets += [WARNINGS_SHEET] if self.warnings else []
        sheets += [sheets_of.COLUMNS_SHEET]
        drift = self.drift.result() if self.drift is not None else None
        # No reference, no sheet: the job says `unavailable`, the workbook stays as it was.
        sheets += [DRIFT_SHEET] if drift is not None and self.bundle.reference else []
        summary = self._summary(sheets)
        summary.drift = drift.to_job() if drift is not None else None
        rows = _summary_rows(summary)
        writer.write_sheet(
            SUMMARY_SHEET, ["item", "value"], rows, [24.0, 48.0], chart=_chart(rows, self.bundle)
        )
        for name, listed in ((ERRORS_SHEET, self.problems), (WARNINGS_SHEET, self.warnings)):
            if listed:
                rows = [[p["line"], p["column"], p["message"]] for p in listed]
                writer.write_sheet(name, ["line", "column", "message"], rows, [10.0, 24.0, 80.0])
        writer.write_sheet(
            sheets_of.COLUMNS_SHEET,
            sheets_of.COLUMNS_HEADER,
            sheets_of.columns_rows(
                self.bundle,
                layout.header,
                written=self.matched.written if self.matched else None,
                explain=self.explainer is not None,
                model_name=self.model_name,
            ),
            sheets_of.COLUMNS_WIDTHS,
        )
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
        self.predicted.append(values)
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
        bins = sheets_of.histogram(np.concatenate(self.predicted)) if self.predicted else []
        return ScoreSummary(
            job_id=self.job_id,
            model_version=self.bundle.version,
            rows_read=self.rows_read,
            rows_scored=self.rows_scored,
            rows_rejected=self.rows_rejected,
            prediction_counts=counts,
            prediction_stats=stats,
            prediction_histogram=[vars(b) for b in bins],
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
    rows += [[f"histogram {b['label']}", b["count"]] for b in summary.prediction_histogram]
    rows += [
        [f"seconds {name}", round(value, 4)]
        for name, value in summary.timings.items()
        if name != "total"
    ]
    rows.append(["sheets", ", ".join(summary.sheets)])
    rows.append(["finished_at", datetime.now(UTC).isoformat(timespec="seconds")])
    return rows


def _explainer(bundle: Bundle) -> Explainer:
    try:
        return explainer_for(bundle.estimator, bundle.info)
    except ExplainUnsupported as exc:
        message = f"reasons (explain) are not available for this model: {exc}"
        raise InputRejected("explain_unsupported", message, [problem(message)]) from exc


def _chart(rows: list[list[object]], bundle: Bundle) -> sheets_of.BarChart | None:
    """The prediction distribution as a native column chart beside the summary's rows."""
    if bundle.info.task == "regression":
        title = "Predicted values (rows per range)"
        return sheets_of.distribution_chart(rows, "histogram ", title=title, sheet=SUMMARY_SHEET)
    title = "Predicted class (rows)"
    return sheets_of.distribution_chart(rows, "prediction ", title=title, sheet=SUMMARY_SHEET)


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
        columns = _input_columns(parsed, layout)
    if prediction.codes is not None and bundle.info.classes:
        columns.append(Labels.of_codes(prediction.codes, bundle.info.classes))
    elif bundle.info.task == "classification":
        columns.append(Labels(prediction.labels.astype(str).tolist()))
    else:
        style = sheets_of.prediction_style(bundle)
        columns.append(Numbers(prediction.labels.astype(np.float64), style=style))
    if prediction.probabilities is not None:
        columns += [
            Numbers(prediction.probabilities[:, k], style=sheets_of.PROBABILITY_STYLE)
            for k in range(prediction.probabilities.shape[1])
        ]
    return columns


def _input_columns(parsed: ParsedChunk, layout: Layout) -> list[Column]:
    """The input as written, column by column; a run of plain numerals as one block of rows."""
    runs = parsed.numeral_runs(layout)
    columns: list[Column] = []
    index = 0
    while index < len(layout.header):
        if index in runs:
            stop, text = runs[index]
            columns.append(NumeralRows(text, layout.delimiter))
            index = stop
            continue
        name, texts = layout.header[index], parsed.fields.column(index)
        numeric = name in layout.numeric_set
        columns.append(Numerals(texts, parsed.numbers[name]) if numeric else Texts(texts))
        index += 1
    return columns
