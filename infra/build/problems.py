"""A problem found in a template or a build, located as precisely as the source allows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding: where it is, which check raised it, and what is wrong."""

    file: str
    line: int
    column: int
    check: str
    message: str
    # The logical id, output or route the problem is about ("" for the file as a whole).
    subject: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: [{self.check}] {self.message}"
