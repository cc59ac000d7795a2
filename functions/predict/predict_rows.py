"""Score a small batch of JSON rows with the bundle: all rows valid, or none scored."""

from __future__ import annotations

from typing import Any

from batchscore_core.api_errors import ApiProblem
from batchscore_core.models import ErrorDetail
from batchscore_core.predict_contract import PredictResponse, Row
from batchscore_model.bundle import Bundle
from batchscore_model.explain import Explainer, ExplainUnsupported, explainer_for


class InvalidRows(ApiProblem):
    code = "invalid_rows"

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__("some rows cannot be scored", details)


class ExplainRefused(ApiProblem):
    code = "explain_unsupported"


def predict_rows(
    rows: list[Row], bundle: Bundle, *, model_name: str | None = None, explain: bool = False
) -> PredictResponse:
    """Predictions in input order; InvalidRows (with 1-based row numbers) if any row is bad.

    `explain`: each prediction gains `reasons` (its top three, `batchscore_model.explain`).
    """
    explainer = _explainer(bundle) if explain else None
    results, errors = bundle.predict_records(rows)
    if errors:
        raise InvalidRows([_detail(error) for error in errors])
    ordered = sorted(results, key=lambda result: int(result["row"]))
    predictions = [_prediction(result) for result in ordered]
    if explainer is not None:
        # every row passed the contract: its checked features are the ones scored
        features = bundle.contract.check(
            {name: [row.get(name) for row in rows] for name in bundle.info.feature_names},
            len(rows),
            text_values=False,
        ).features
        for body, reasons in zip(predictions, explainer.reason_lists(features), strict=True):
            body["reasons"] = reasons
    return PredictResponse(
        model_name=model_name,
        model_version=bundle.version,
        predictions=predictions,
    )


def _explainer(bundle: Bundle) -> Explainer:
    try:
        return explainer_for(bundle.estimator, bundle.info)
    except ExplainUnsupported as exc:
        raise ExplainRefused(f"reasons (explain) are not available for this model: {exc}") from exc


def _prediction(result: dict[str, Any]) -> dict[str, Any]:
    """The columns the Excel result has: `prediction`, then `probability_<class>`."""
    body = {"prediction": result["prediction"]}
    for label, probability in (result.get("probabilities") or {}).items():
        body[f"probability_{label}"] = probability
    return body


def _detail(error: dict[str, Any]) -> ErrorDetail:
    row = error.get("row")
    return ErrorDetail(
        line=row + 1 if isinstance(row, int) else None,
        column=error.get("column"),
        message=error["message"],
    )
