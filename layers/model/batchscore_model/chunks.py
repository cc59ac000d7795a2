"""Cut a binary CSV stream into decoded text chunks that hold whole records.

Reads `.read(n)` only (a botocore StreamingBody cannot seek), decodes UTF-8 (BOM or not)
incrementally, and cuts only at a newline outside quotes, so memory does not grow with the file.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from batchscore_model.csvcheck import undecodable
from batchscore_model.errors import InputRejected, problem

READ_BYTES = 1 << 20
MAX_RECORD_CHARS = 32 << 20


@dataclass(frozen=True)
class TextChunk:
    text: str  # whole records, each ending in a newline except perhaps the last one of the file
    first_line: int  # 1-based physical line of the chunk's first character
    bytes_read: int  # bytes of the source up to the end of this chunk (what progress extrapolates)


class ChunkReader:
    """Iterate `TextChunk`s of about `chunk_rows` lines; `header` names columns in errors."""

    def __init__(self, source: BinaryIO, *, chunk_rows: int) -> None:
        self._source = source
        self._chunk_rows = max(chunk_rows, 1)
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()  # drops a BOM if present
        self._bytes_read = 0
        self._lines_decoded = 0
        self.header: list[str] | None = None

    def __iter__(self) -> Iterator[TextChunk]:
        buffer = ""
        next_line = 1
        eof = False
        while not eof:
            text, eof = self._read_text()
            buffer += text
            while buffer:
                cut = len(buffer) if eof else _cut_after(buffer, self._chunk_rows)
                if cut < 0:
                    if len(buffer) > MAX_RECORD_CHARS:
                        raise _unbalanced_quotes(next_line)
                    break
                body, buffer = buffer[:cut], buffer[cut:]
                # Not the 1 MiB blocks read ahead: what is still buffered counts (a character as
                # a byte, close enough for a progress estimate) as not yet consumed.
                consumed = max(self._bytes_read - len(buffer), 0)
                yield TextChunk(text=body, first_line=next_line, bytes_read=consumed)
                next_line += body.count("\n")
                if eof:
                    break

    def _read_text(self) -> tuple[str, bool]:
        data = self._source.read(READ_BYTES)
        eof = not data
        self._bytes_read += len(data)
        try:
            text = self._decoder.decode(data, final=eof)
        except UnicodeDecodeError as exc:
            raise undecodable(
                exc.object, exc, line_offset=self._lines_decoded, header=self.header
            ) from exc
        self._lines_decoded += text.count("\n")
        return text, eof


def _cut_after(text: str, rows: int) -> int:
    """End of the first `rows` lines, pushed on to close any quote they open; -1 if too short."""
    position = -1
    for _ in range(rows):
        position = text.find("\n", position + 1)
        if position < 0:
            return -1
    if '"' in text:
        while text.count('"', 0, position) % 2:
            position = text.find("\n", position + 1)
            if position < 0:
                return -1
    return position + 1


def _unbalanced_quotes(line: int) -> InputRejected:
    message = f"line {line}: a quoted field is never closed"
    return InputRejected("unbalanced_quotes", message, [problem(message, line=line)])
