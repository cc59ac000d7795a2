"""Reasons per row: exact additive contributions of each input column to one score.

- Linear models (`coef_` and `intercept_`): coefficient times transformed value; the score is the
  decision function (log-odds of the explained class for a logistic model, the prediction for a
  regressor). Relative to the training mean where the pipeline centres (StandardScaler).
- Tree ensembles (decision trees, random forests, extra trees): path contributions. Along each
  row's path, the change of the node value is given to the feature its parent splits on; a
  forest averages its trees. The score is the explained class's probability, or the prediction.

Either way `bias + contributions.sum(axis=1)` is the score, and contributions on transformed
columns are summed back to the input column they came from through the pipeline's imputers,
scalers, one-hot encoders and ColumnTransformers. Anything else is refused (`ExplainUnsupported`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from batchscore_model.schema import ModelInfo

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer

TOP_REASONS = 3
REASON_COLUMNS = [f"reason_{k}" for k in range(1, TOP_REASONS + 1)]


@dataclass(frozen=True)
class _Kinds:
    """The scikit-learn types explained, imported at the first explanation: sklearn.ensemble and
    the rest are no cold start's work (the engine imports this module for REASON_COLUMNS)."""

    pipeline: type[Any]
    imputer: type[Any]
    one_hot: type[Any]
    column_transformer: type[Any]
    elementwise: tuple[type[Any], ...]
    trees: tuple[type[Any], ...]
    forests: tuple[type[Any], ...]


@lru_cache(maxsize=1)
def _kinds() -> _Kinds:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import (
        MaxAbsScaler,
        MinMaxScaler,
        OneHotEncoder,
        RobustScaler,
        StandardScaler,
    )
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    return _Kinds(
        pipeline=Pipeline,
        imputer=SimpleImputer,
        one_hot=OneHotEncoder,
        column_transformer=ColumnTransformer,
        elementwise=(StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler),
        trees=(DecisionTreeClassifier, DecisionTreeRegressor),
        forests=(
            RandomForestClassifier,
            RandomForestRegressor,
            ExtraTreesClassifier,
            ExtraTreesRegressor,
        ),
    )


# Above this many node x column cells, tree paths are walked per chunk instead of tabulated.
_TABLE_CELLS = 20_000_000


class ExplainUnsupported(Exception):
    """The model cannot be explained exactly; the message says why, for the user."""


@dataclass(frozen=True)
class Contributions:
    """Per row: `bias + values.sum(axis=1) == score`; columns are the model's input columns."""

    values: np.ndarray  # rows x input columns
    bias: np.ndarray  # rows
    target: np.ndarray  # rows: the class (or "prediction") each row's score is about

    @property
    def score(self) -> np.ndarray:
        return self.bias + self.values.sum(axis=1)


class Explainer:
    """Built once per bundle; `contributions` and `reasons` take a chunk of rows at once."""

    def __init__(self, estimator: Any, info: ModelInfo) -> None:
        self.info = info
        steps = (
            list(estimator.steps)
            if isinstance(estimator, _kinds().pipeline)
            else [("model", estimator)]
        )
        self._prepare = [step for _, step in steps[:-1]]
        self._model = steps[-1][1]
        names = info.feature_names
        self._mapping = _mapping_of_steps(self._prepare, len(names))  # transformed x input
        self._score = _scorer(self._model, self._mapping.shape[0], info)
        self.kind = self._score.kind

    def contributions(self, features: pd.DataFrame) -> Contributions:
        transformed: Any = features
        for step in self._prepare:
            transformed = step.transform(transformed)
        on_transformed, bias, target = self._score(transformed)
        values = np.asarray(self._mapping.T @ on_transformed.T).T if len(features) else None
        if values is None:
            values = np.zeros((0, len(self.info.feature_names)))
        return Contributions(values=values, bias=bias, target=target)

    def top(self, features: pd.DataFrame) -> tuple[Contributions, np.ndarray]:
        """The contributions, and per row the indexes of its `TOP_REASONS` largest by size."""
        found = self.contributions(features)
        count, width = found.values.shape
        top = min(TOP_REASONS, width)
        if not count or not top:
            return found, np.zeros((count, 0), dtype=np.intp)
        sizes = np.abs(found.values)
        order = np.argpartition(-sizes, top - 1, axis=1)[:, :top]
        rows = np.arange(count)[:, None]
        ranked = np.argsort(-sizes[rows, order], axis=1, kind="stable")
        return found, order[rows, ranked]

    def reasons(self, features: pd.DataFrame) -> list[list[str]]:
        """`TOP_REASONS` columns of text (the workbook's reason_1..3), in words."""
        found, order = self.top(features)
        count = len(features)
        names = np.asarray(self.info.feature_names, dtype=object)
        numeric = all(dtype.kind in "fiub" for dtype in features.dtypes)
        written = features.to_numpy(dtype=np.float64 if numeric else object)
        everyone = np.arange(count)
        columns: list[list[str]] = []
        for rank in range(TOP_REASONS):
            if rank >= order.shape[1]:
                columns.append([""] * count)
                continue
            at = order[:, rank]
            amounts = found.values[everyone, at]
            effects = _effects(amounts, found.target)
            values = written[everyone, at]
            if numeric:  # one bound format over the whole column: no call per cell in Python
                texts = list(
                    map(
                        _NUMERIC_REASON,
                        names[at].tolist(),
                        values.tolist(),
                        effects,
                        np.abs(amounts).tolist(),
                    )
                )
                for index in np.flatnonzero(np.isnan(values)).tolist():
                    texts[index] = _words(
                        names[at[index]], _MISSING, amounts[index], str(found.target[index])
                    )
            else:
                shown = [_one_value(value) for value in values.tolist()]
                texts = list(
                    map(_REASON, names[at].tolist(), shown, effects, np.abs(amounts).tolist())
                )
            columns.append(texts)
        return columns

    def reason_lists(self, features: pd.DataFrame) -> list[list[dict[str, Any]]]:
        """Per row, its reasons as data (`/predict`): column, value, contribution, text."""
        found, order = self.top(features)
        written = features.to_numpy(dtype=object)
        names = self.info.feature_names
        listed = []
        for row, chosen in enumerate(order.tolist()):
            target = str(found.target[row])
            reasons = []
            for k in chosen:
                value = written[row, k]
                amount = float(found.values[row, k])
                reasons.append(
                    {
                        "column": names[k],
                        "value": None if _is_missing(value) else _plain(value),
                        "contribution": amount,
                        "towards": target,
                        "text": _words(names[k], _one_value(value), amount, target),
                    }
                )
            listed.append(reasons)
        return listed


def explainer_for(estimator: Any, info: ModelInfo) -> Explainer:
    """The explainer of a bundle's estimator, or `ExplainUnsupported` saying why not."""
    return Explainer(estimator, info)


def supports_explain(estimator: Any, info: ModelInfo) -> bool:
    """Whether `explainer_for` would succeed, without building the explainer (publish records
    it on the version, so `POST /jobs` can refuse `explain` without loading the model)."""
    steps = (
        list(estimator.steps)
        if isinstance(estimator, _kinds().pipeline)
        else [("model", estimator)]
    )
    try:
        _mapping_of_steps([step for _, step in steps[:-1]], len(info.feature_names))
        _check_scorer(steps[-1][1])
    except ExplainUnsupported:
        return False
    return True


_MISSING = "(missing)"
_REASON = "{} = {} {} by {:.2f}".format
_NUMERIC_REASON = "{} = {:.4g} {} by {:.2f}".format


def _effects(amounts: np.ndarray, targets: np.ndarray) -> list[str]:
    """ "raises <target>" or "lowers <target>" per row."""
    up = amounts >= 0
    if len(targets) and (targets == targets[0]).all():
        target = str(targets[0])
        return np.where(up, f"raises {target}", f"lowers {target}").tolist()
    return [
        f"{'raises' if rising else 'lowers'} {target}"
        for rising, target in zip(up.tolist(), targets.tolist(), strict=True)
    ]


def _words(name: str, value: str, amount: float, target: str) -> str:
    verb = "raises" if amount >= 0 else "lowers"
    return f"{name} = {value} {verb} {target} by {abs(amount):.2f}"


def _is_missing(value: Any) -> bool:
    return value is None or value != value


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _one_value(value: Any) -> str:
    if _is_missing(value):
        return _MISSING
    if isinstance(value, float | int):
        return f"{value:.4g}"
    return str(value)


# --- transformed columns back to input columns -------------------------------------------


def _mapping_of_steps(steps: Sequence[Any], width: int) -> sparse.csr_matrix:
    """A 0/1 matrix, transformed columns x input columns, through every preparing step."""
    mapping = sparse.identity(width, format="csr")
    for step in steps:
        mapping = _mapping(step, mapping.shape[0]) @ mapping
    return sparse.csr_matrix(mapping)


def _mapping(step: Any, width: int) -> sparse.csr_matrix:
    if isinstance(step, _kinds().pipeline):
        return _mapping_of_steps([s for _, s in step.steps], width)
    if isinstance(step, _kinds().elementwise) or step == "passthrough":
        return sparse.identity(width, format="csr")
    if isinstance(step, _kinds().imputer):
        rows = [k for k in range(width) if not _dropped_by_imputer(step, k)]
        indicator = getattr(step, "indicator_", None)
        if step.add_indicator and indicator is not None:
            rows += [int(k) for k in indicator.features_]
        return _select(rows, width)
    if isinstance(step, _kinds().one_hot):
        rows = []
        for k, categories in enumerate(step.categories_):
            count = len(categories)
            dropped = getattr(step, "drop_idx_", None)
            if dropped is not None and dropped[k] is not None:
                count -= 1
            rows += [k] * count
        if getattr(step, "_infrequent_enabled", False):
            raise ExplainUnsupported(
                "one-hot encoders with infrequent categories are not explained"
            )
        return _select(rows, width)
    if isinstance(step, _kinds().column_transformer):
        return _column_transformer(step, width)
    raise ExplainUnsupported(
        f"reasons are available for linear models and tree ensembles behind imputers, scalers "
        f"and one-hot encoders; this model's {type(step).__name__} step is not explained"
    )


def _dropped_by_imputer(imputer: SimpleImputer, k: int) -> bool:
    statistics = np.asarray(imputer.statistics_)
    if getattr(imputer, "keep_empty_features", False):
        return False
    value = statistics[k]
    return isinstance(value, float) and np.isnan(value)


def _select(rows: Sequence[int], width: int) -> sparse.csr_matrix:
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (np.arange(len(rows)), list(rows))), shape=(len(rows), width))


def _column_transformer(step: ColumnTransformer, width: int) -> sparse.csr_matrix:
    blocks = []
    for name, transformer, columns in step.transformers_:
        if transformer == "drop" or (name == "remainder" and transformer == "drop"):
            continue
        indexes = _column_indexes(step, columns, width)
        if not len(indexes):
            continue
        inner = _mapping(transformer, len(indexes))
        blocks.append(inner @ _select(indexes, width))
    return sparse.csr_matrix(sparse.vstack(blocks)) if blocks else sparse.csr_matrix((0, width))


def _column_indexes(step: ColumnTransformer, columns: Any, width: int) -> list[int]:
    names = list(getattr(step, "feature_names_in_", []))
    if isinstance(columns, slice):
        return list(range(width))[columns]
    items = list(np.atleast_1d(columns))
    if items and isinstance(items[0], bool | np.bool_):
        return [k for k, flag in enumerate(items) if flag]
    return [names.index(item) if isinstance(item, str) else int(item) for item in items]


# --- the score's contributions on transformed columns -------------------------------------


class _Scorer:
    kind = ""

    def __call__(self, transformed: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


def _scorer(model: Any, width: int, info: ModelInfo) -> _Scorer:
    _check_scorer(model)
    if isinstance(model, (*_kinds().forests, *_kinds().trees)):
        return _TreeScorer(model, width, info)
    return _LinearScorer(model, info)


def _check_scorer(model: Any) -> None:
    if isinstance(model, (*_kinds().forests, *_kinds().trees)):
        return
    if hasattr(model, "coef_") and hasattr(model, "intercept_"):
        return
    raise ExplainUnsupported(
        f"reasons are available for linear models and tree ensembles; "
        f"{type(model).__name__} is not explained"
    )


class _LinearScorer(_Scorer):
    kind = "linear"

    def __init__(self, model: Any, info: ModelInfo) -> None:
        self.coef = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
        self.intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
        self.model = model
        self.classifier = hasattr(model, "classes_")

    def __call__(self, transformed: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        z = transformed.toarray() if sparse.issparse(transformed) else np.asarray(transformed)
        z = z.astype(np.float64, copy=False)
        count = len(z)
        if not self.classifier:
            target = np.full(count, "prediction", dtype=object)
            return z * self.coef[0], np.full(count, self.intercept[0]), target
        classes = np.asarray(self.model.classes_).astype(str)
        if len(classes) == 2:  # one row of coefficients: the log-odds of classes[1]
            target = np.full(count, classes[1], dtype=object)
            return z * self.coef[0], np.full(count, self.intercept[0]), target
        decision = z @ self.coef.T + self.intercept
        chosen = decision.argmax(axis=1)
        return z * self.coef[chosen], self.intercept[chosen], classes[chosen].astype(object)


class _TreeScorer(_Scorer):
    kind = "trees"

    def __init__(self, model: Any, width: int, info: ModelInfo) -> None:
        self.model = model
        trees = list(model.estimators_) if isinstance(model, _kinds().forests) else [model]
        self.classifier = hasattr(model, "classes_")
        self.classes = np.asarray(model.classes_).astype(str) if self.classifier else None
        outputs = len(self.classes) if self.classes is not None else 1
        # per node of every tree (stacked): its value, and what entering it changes
        deltas, bias = [], np.zeros(outputs)
        rows, cols = [], []
        offset = 0
        for tree in trees:
            structure = tree.tree_
            value = structure.value[:, 0, :].astype(np.float64)
            if self.classifier:
                value = value / value.sum(axis=1, keepdims=True)
            parent = np.full(structure.node_count, -1)
            for side in (structure.children_left, structure.children_right):
                inner = np.flatnonzero(side >= 0)
                parent[side[inner]] = inner
            has_parent = np.flatnonzero(parent >= 0)
            deltas.append(value[has_parent] - value[parent[has_parent]])
            rows.append(has_parent + offset)
            cols.append(structure.feature[parent[has_parent]])
            bias += value[0]
            offset += structure.node_count
        scale = 1.0 / len(trees)
        self.bias = bias * scale
        self.nodes = offset
        self.width = width
        node_rows = np.concatenate(rows)
        node_cols = np.concatenate(cols)
        node_deltas = np.concatenate(deltas) * scale
        self.by_output = [
            sparse.csr_matrix((node_deltas[:, k], (node_rows, node_cols)), shape=(offset, width))
            for k in range(outputs)
        ]
        self.explained = [1] if outputs == 2 and self.classifier else list(range(outputs))
        self.starts = np.cumsum([0] + [tree.tree_.node_count for tree in trees])[:-1]
        self.tables = self._path_tables(trees) if offset * width <= _TABLE_CELLS else None

    def _path_tables(self, trees: list[Any]) -> list[np.ndarray]:
        """Per explained output: each node's contributions summed from the root (nodes x width);
        a row's contributions are then its leaves' rows added up, one gather per tree."""
        tables = []
        for k in self.explained:
            deltas = self.by_output[k].toarray()
            for tree, start in zip(trees, self.starts.tolist(), strict=True):
                structure = tree.tree_
                for node in range(structure.node_count):  # children come after their parent
                    for child in (structure.children_left[node], structure.children_right[node]):
                        if child >= 0:
                            deltas[start + child] += deltas[start + node]
            tables.append(deltas)
        return tables

    def _per_output(self, transformed: Any) -> list[np.ndarray]:
        """Contributions (rows x width) towards each explained output."""
        if self.tables is not None:
            leaves = np.asarray(self.model.apply(transformed)).reshape(transformed.shape[0], -1)
            found = []
            for table in self.tables:
                total = np.zeros((leaves.shape[0], self.width))
                for t, start in enumerate(self.starts.tolist()):
                    total += table[leaves[:, t] + start]
                found.append(total)
            return found
        if isinstance(self.model, _kinds().forests):
            paths, _ = self.model.decision_path(transformed)
        else:
            paths = self.model.decision_path(transformed)
        paths = sparse.csr_matrix(paths, dtype=np.float64)
        return [_dense(paths @ self.by_output[k]) for k in self.explained]

    def __call__(self, transformed: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        count = transformed.shape[0]
        if self.classes is None:
            target = np.full(count, "prediction", dtype=object)
            return self._per_output(transformed)[0], np.full(count, self.bias[0]), target
        if len(self.classes) == 2:
            target = np.full(count, self.classes[1], dtype=object)
            return self._per_output(transformed)[0], np.full(count, self.bias[1]), target
        per_class = self._per_output(transformed)
        scores = np.stack([c.sum(axis=1) for c in per_class], axis=1) + self.bias
        chosen = scores.argmax(axis=1)
        values = np.stack(per_class, axis=0)[chosen, np.arange(count)]
        return values, self.bias[chosen], self.classes[chosen].astype(object)


def _dense(matrix: Any) -> np.ndarray:
    return np.asarray(matrix.toarray() if sparse.issparse(matrix) else matrix)
