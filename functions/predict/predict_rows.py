"""Score a small batch of JSON rows with the bundle: all rows valid, or none scored."""

from __future__ import annotations

from typing import Any

from batchscore_core.api_errors import ApiProblem
from batchscore_core.models import ErrorDetail
from batchscore_core.predict_contract import PredictResponse, Row
from batchscore_model.bundle import Bundle


class InvalidRows(ApiProblem):
    code = "invalid_rows"

    def __init__(self, details: list[ErrorDetail]) -> None:
        super().__init__("some rows cannot be scored", details)


def predict_rows(rows: list[Row], bundle: Bundle) -> PredictResponse:
    """Predictions in input order; InvalidRows (with 1-based row numbers) if any row is bad."""
    results, errors = bundle.predict_records(rows)
    if errors:
        raise InvalidRows([_detail(error) for error in errors])
    ordered = sorted(results, key=lambda result: int(result["row"]))
    return PredictResponse(
        model_version=bundle.version, predictions=[_prediction(result) for result in ordered]
    )


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
