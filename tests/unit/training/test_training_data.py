"""Training files: the label column, line-and-column problems, the deterministic holdout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from train_data import TrainingDataError, holdout_mask, parse_labelled, split

from batchscore_model.errors import InputRejected
from batchscore_model.schema import ModelInfo

INFO = ModelInfo.model_validate(
    {
        "version": "v1",
        "task": "classification",
        "columns": [{"name": "x", "dtype": "number"}, {"name": "y", "dtype": "number"}],
        "outputs": [{"name": "prediction", "dtype": "string", "description": "class"}],
        "classes": ["a", "b"],
        "accepts_missing": True,
    }
)


def csv(rows: int, *, label: str = "target", classes: tuple[str, ...] = ("a", "b")) -> bytes:
    lines = ["x,y," + label]
    lines += [f"{i},{i * 2},{classes[i % len(classes)]}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_file_without_the_label_column_is_rejected_naming_it() -> None:
    with pytest.raises(InputRejected) as rejected:
        parse_labelled(csv(5, label="other"), "t.csv", INFO, "target")

    assert rejected.value.code == "missing_columns"
    assert rejected.value.details[0]["column"] == "target"


def test_a_wrong_type_and_a_missing_label_are_placed_by_line_and_column() -> None:
    text = csv(4).decode().replace("2,4,a", "2,four,a").replace("3,6,b", "3,6,")

    with pytest.raises(InputRejected) as rejected:
        parse_labelled(text.encode(), "t.csv", INFO, "target")

    places = [(d["line"], d["column"]) for d in rejected.value.details]
    assert places == [(4, "y"), (5, "target")]


def test_a_single_class_cannot_train() -> None:
    data = parse_labelled(csv(100, classes=("a",)), "t.csv", INFO, "target")

    with pytest.raises(TrainingDataError) as refused:
        split(data, task="classification", min_rows=10)

    assert refused.value.code == "single_class"


def test_too_few_rows_cannot_train() -> None:
    data = parse_labelled(csv(10), "t.csv", INFO, "target")

    with pytest.raises(TrainingDataError) as refused:
        split(data, task="classification", min_rows=50)

    assert refused.value.code == "too_few_rows"


def test_the_holdout_does_not_depend_on_row_order() -> None:
    data = parse_labelled(csv(400), "t.csv", INFO, "target")
    order = np.random.default_rng(3).permutation(400)
    shuffled = type(data)(
        data.features.iloc[order].reset_index(drop=True),
        data.labels.iloc[order].reset_index(drop=True),
    )

    held = set(map(tuple, data.features[holdout_mask(data)].to_numpy()))
    held_again = set(map(tuple, shuffled.features[holdout_mask(shuffled)].to_numpy()))

    assert held == held_again
    assert 0.15 < len(held) / 400 < 0.35


def test_features_come_in_the_schema_order_as_numbers() -> None:
    data = parse_labelled(b"y,target,x\n1,a,2\n3,b,4\n", "t.csv", INFO, "target")

    assert list(data.features.columns) == ["x", "y"]
    assert pd.api.types.is_float_dtype(data.features["x"])
    assert list(data.labels) == ["a", "b"]
