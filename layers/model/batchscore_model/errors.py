"""Typed errors of the model layer. Light module: stdlib only."""

from __future__ import annotations

from typing import TypedDict


class Problem(TypedDict):
    """One problem in an input file; `line` is 1-based as an editor shows it, `column` a name."""

    line: int | None
    column: str | None
    message: str


def problem(message: str, *, line: int | None = None, column: str | None = None) -> Problem:
    return {"line": line, "column": column, "message": message}


class InputRejected(Exception):
    """The whole input is refused; `code` is machine-readable, `details` lists the problems."""

    def __init__(self, code: str, message: str, details: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: list[Problem] = details or []

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "details": list(self.details)}


class BundleError(Exception):
    """A model bundle is missing, incomplete, tampered with or not loadable safely."""
