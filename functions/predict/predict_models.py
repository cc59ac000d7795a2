"""POST /predict: request and response bodies, and the one error shape of the API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

MAX_ROWS = 1000

Row = dict[str, Any]


class PredictRequest(BaseModel):
    rows: Annotated[list[Row], Field(min_length=1, max_length=MAX_ROWS)]


class PredictResponse(BaseModel):
    model_version: str
    predictions: list[dict[str, Any]]


class ErrorDetailBody(BaseModel):
    line: int | None = None
    column: str | None = None
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetailBody] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    error: ErrorBody
