"""Cut a binary CSV stream into decoded text chunks that hold whole records.

Reads `.read(n)` only (a botocore StreamingBody cannot seek), decodes UTF-8 (BOM or not)
incrementally, and cuts only at a newline outside quotes, so memory does not grow with the file.
Every character is scanned for a cut a bounded number of times (linear in the input): where no
cut was found, the scan resumes where it stopped, with the quote parity it had there.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from batchscore_model.csvcheck import MAX_RECORD_CHARS, line_ending_problem, undecodable
from batchscore_model.errors import InputRejected, problem

READ_BYTES = 1 << 20
CHUNK_CHARS = 4 << 20


@dataclass(frozen=True)
class TextChunk:
    text: str  # whole records, each ending in a newline except perhaps the last one of the file
    first_line: int  # 1-based physical line of the chunk's first character
    bytes_read: int  # bytes of the source up to the end of this chunk (what progress extrapolates)


class ChunkReader:
    """Iterate `TextChunk`s of about `chunk_chars` characters (and at most `chunk_rows` lines).

    `header` names columns in errors once it is known.
    """

    def __init__(
        self, source: BinaryIO, *, chunk_rows: int | None = None, chunk_chars: int = CHUNK_CHARS
    ) -> None:
        self._source = source
        self._chunk_rows = chunk_rows
        self._chunk_chars = max(chunk_chars, 1)
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()  # drops a BOM if present
        self._bytes_read = 0
        self._lines_decoded = 0
        self.header: list[str] | None = None

    def __iter__(self) -> Iterator[TextChunk]:
        buffer = ""
        scan, parity = 0, 0  # no cut before `scan`; quotes before it, mod 2
        next_line = 1
        eof = False
        first = True
        while True:
            while not eof and len(buffer) < self._chunk_chars:
                text, eof = self._read_text()
                buffer += text
            if first and buffer:
                rejected = line_ending_problem(buffer[: MAX_RECORD_CHARS + 1])
                if rejected:
                    raise rejected
                first = False
            if not buffer:
                return
            cut, scan, parity = self._find_cut(buffer, scan, parity)
            if cut < 0:
                if not eof:
                    if len(buffer) > MAX_RECORD_CHARS:
                        raise _too_long(next_line, quoted=parity == 1)
                    text, eof = self._read_text()
                    buffer += text
                    continue
                if parity:
                    raise _too_long(next_line, quoted=True, at_end=True)
                cut = len(buffer)
            body, buffer = buffer[:cut], buffer[cut:]
            scan, parity = 0, 0
            # Not the blocks read ahead: what is still buffered counts (a character as a byte,
            # close enough for a progress estimate) as not yet consumed.
            consumed = max(self._bytes_read - len(buffer), 0)
            yield TextChunk(text=body, first_line=next_line, bytes_read=consumed)
            next_line += body.count("\n")

    def _find_cut(self, text: str, scan: int, parity: int) -> tuple[int, int, int]:
        """A cut in `text[scan:]` near the chunk size, or -1 with the scan state at its end."""
        end = len(text)
        soft = max(self._chunk_chars, scan + 1)
        if self._chunk_rows is not None:
            position = -1
            for _ in range(self._chunk_rows):
                position = text.find("\n", position + 1, end)
                if position < 0:
                    break
            if position >= 0:
                soft = min(soft, position + 1)
        if soft < end:
            cut = _last_cut(text, scan, soft, parity)
            if cut >= 0:
                return cut, 0, 0
            parity = (parity + text.count('"', scan, soft)) % 2
            scan = soft
        cut = _last_cut(text, scan, end, parity)
        if cut >= 0:
            return cut, 0, 0
        return -1, end, (parity + text.count('"', scan, end)) % 2

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


def _last_cut(text: str, start: int, end: int, parity: int) -> int:
    """After the last newline in `text[start:end]` outside quotes, given the parity at `start`.

    Walks back over quote pairs: each `rfind` covers text no other call covers.
    """
    newline = text.rfind("\n", start, end)
    if newline < 0:
        return -1
    if (parity + text.count('"', start, newline)) % 2 == 0:
        return newline + 1
    # From the right: odd after the last quote before `newline`, even between it and the quote
    # before, odd before that one, and so on; look for a newline in each even stretch.
    quote = text.rfind('"', start, newline)
    while quote >= 0:
        previous = text.rfind('"', start, quote)
        newline = text.rfind("\n", previous + 1 if previous >= 0 else start, quote)
        if newline >= 0:
            return newline + 1
        if previous < 0:
            return -1
        quote = text.rfind('"', start, previous)
    return -1


def _too_long(line: int, *, quoted: bool, at_end: bool = False) -> InputRejected:
    if quoted:
        where = "by the end of the file" if at_end else f"within {MAX_RECORD_CHARS:,} characters"
        message = f"line {line}: a quoted field is never closed {where}"
        return InputRejected("unbalanced_quotes", message, [problem(message, line=line)])
    message = f"line {line}: a record is longer than {MAX_RECORD_CHARS:,} characters"
    return InputRejected("record_too_long", message, [problem(message, line=line)])
