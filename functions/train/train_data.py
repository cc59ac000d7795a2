"""Labelled training CSVs: the check a file meets to be ACCEPTED, and the frames a run reads.

A file is checked as a job's CSV is (csvcheck's header checks, the engine's row contract for
every feature value, with line-and-column problems), plus its label column: present, a value
on every row, a number for a regressor. The holdout is deterministic: a row is held out when
the hash of its values falls in the lowest quarter, whatever file or order it came in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from batchscore_model.contract import MISSING_TOKENS, RowContract, to_numbers
from batchscore_model.csvcheck import precheck
from batchscore_model.errors import InputRejected, Problem, problem
from batchscore_model.schema import ModelInfo

HOLDOUT_PERCENT = 25
MAX_TRAINING_FILE_BYTES = 200 * 1024 * 1024
MAX_LISTED_PROBLEMS = 50


class TrainingDataError(Exception):
    """The run's data cannot train a model: no label, one class, too few rows, no files."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Labelled:
    features: pd.DataFrame  # the champion's columns, in its order, parsed as the engine does
    labels: pd.Series


def _read_text_frame(data: bytes, filename: str, required: list[str]) -> pd.DataFrame:
    shape = precheck(
        data[: 64 * 1024],
        total_size=len(data),
        max_bytes=MAX_TRAINING_FILE_BYTES,
        required_columns=required,
        filename=filename,
    )
    text = data.decode(shape.encoding)
    frame = pd.read_csv(
        io.StringIO(text),
        sep=shape.delimiter,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=True,
    )
    frame.columns = [str(name).strip() for name in frame.columns]
    return frame


def parse_labelled(
    data: bytes, filename: str, info: ModelInfo, label: str, *, all_problems: bool = True
) -> Labelled:
    """The file's features and labels; raises InputRejected with every problem placed."""
    frame = _read_text_frame(data, filename, [*info.required_columns, label])
    count = len(frame)
    if count == 0:
        message = f"{filename}: the file has a header but no data rows"
        raise InputRejected("header_only", message, [problem(message, line=2)])
    raw = {name: frame[name].to_numpy(dtype=object) for name in info.feature_names if name in frame}
    checked = RowContract(info).check(raw, count)
    details: list[Problem] = [
        problem(finding.reason, line=finding.index + 2, column=finding.column)
        for finding in checked.problems
    ]
    written = frame[label].to_numpy(dtype=object)
    missing = np.array([str(value).strip() in MISSING_TOKENS for value in written])
    details += [
        problem("the label is required on every row", line=int(index) + 2, column=label)
        for index in np.flatnonzero(missing)
    ]
    if info.task == "regression":
        values, invalid = to_numbers(written, text=True)
        details += [
            problem(f"{written[index]!r} is not a number", line=int(index) + 2, column=label)
            for index in np.flatnonzero(invalid & ~missing)
        ]
        labels = pd.Series(values, name=label)
    else:
        labels = pd.Series([str(value).strip() for value in written], name=label, dtype=object)
    if details:
        details.sort(key=lambda item: (item["line"] or 0, item["column"] or ""))
        total = len(details)
        message = f"{filename}: {total} problem(s), first on line {details[0]['line']}"
        raise InputRejected("bad_value", message, details[:MAX_LISTED_PROBLEMS])
    return Labelled(features=checked.features, labels=labels)


def combine(parts: list[Labelled]) -> Labelled:
    if not parts:
        raise TrainingDataError("no_training_data", "no accepted training files")
    features = pd.concat([part.features for part in parts], ignore_index=True)
    labels = pd.concat([part.labels for part in parts], ignore_index=True)
    return Labelled(features=features, labels=labels)


def holdout_mask(data: Labelled) -> np.ndarray:
    """True for held-out rows: a hash of the row's values, so a row stays where it was."""
    whole = data.features.assign(__label=data.labels.astype(str))
    hashes = pd.util.hash_pandas_object(whole, index=False).to_numpy()
    return np.asarray(hashes % 100 < HOLDOUT_PERCENT)


def split(data: Labelled, *, task: str, min_rows: int) -> tuple[Labelled, Labelled]:
    """(train, holdout); TrainingDataError for too few rows or a single class."""
    rows = len(data.labels)
    if rows < min_rows:
        raise TrainingDataError(
            "too_few_rows", f"{rows} labelled rows: the recipe needs at least {min_rows}"
        )
    if task == "classification":
        classes = sorted(set(data.labels))
        if len(classes) < 2:
            raise TrainingDataError(
                "single_class", f"every row has the label {classes[0]!r}: nothing to learn"
            )
    mask = holdout_mask(data)
    train = Labelled(
        data.features[~mask].reset_index(drop=True), data.labels[~mask].reset_index(drop=True)
    )
    holdout = Labelled(
        data.features[mask].reset_index(drop=True), data.labels[mask].reset_index(drop=True)
    )
    if task == "classification":
        for part, name in ((train, "training"), (holdout, "holdout")):
            if part.labels.nunique() < 2:
                raise TrainingDataError(
                    "single_class", f"the {name} rows hold a single class: add more labelled rows"
                )
    if len(holdout.labels) == 0:
        raise TrainingDataError("too_few_rows", "no row fell in the holdout: add more rows")
    return train, holdout
