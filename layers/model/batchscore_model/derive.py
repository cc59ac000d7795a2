"""Derive a bundle's schema from the fitted pipeline and its training frame (never by hand)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sklearn.base import is_classifier

from batchscore_model.errors import BundleError
from batchscore_model.schema import ColumnSpec, Dtype, ModelInfo, OutputSpec


def derive_columns(
    estimator: Any, frame: pd.DataFrame, *, optional: Collection[str] = ()
) -> list[ColumnSpec]:
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        raise BundleError("the estimator was not fitted on a DataFrame: no feature_names_in_")
    columns = []
    for name in map(str, names):
        values = frame[name]
        required = name not in optional
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            categories = sorted(str(v) for v in values.dropna().unique())
            columns.append(
                ColumnSpec(name=name, dtype="category", required=required, categories=categories)
            )
            continue
        dtype: Dtype = "integer" if pd.api.types.is_integer_dtype(values) else "number"
        columns.append(
            ColumnSpec(
                name=name,
                dtype=dtype,
                required=required,
                min=float(values.min()),
                max=float(values.max()),
            )
        )
    return columns


def derive_outputs(estimator: Any) -> tuple[list[OutputSpec], list[str] | None]:
    if not is_classifier(estimator):
        return [OutputSpec(name="prediction", dtype="number", description="predicted value")], None
    classes = [str(label) for label in estimator.classes_]
    outputs = [OutputSpec(name="prediction", dtype="string", description="predicted class")]
    if not hasattr(estimator, "predict_proba"):
        return outputs, classes
    outputs += [
        OutputSpec(
            name=f"probability_{label}",
            dtype="number",
            description=f"probability of class {label!r}",
        )
        for label in classes
    ]
    return outputs, classes


def build_info(
    estimator: Any,
    frame: pd.DataFrame,
    *,
    version: str,
    accepts_missing: bool,
    optional: Collection[str] = (),
) -> ModelInfo:
    outputs, classes = derive_outputs(estimator)
    return ModelInfo(
        version=version,
        task="classification" if classes is not None else "regression",
        columns=derive_columns(estimator, frame, optional=optional),
        outputs=outputs,
        classes=classes,
        accepts_missing=accepts_missing,
    )
