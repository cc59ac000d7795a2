"""A data sheet's rows spelled and deflated in a second process, beside parsing and predicting.

Spelling cells (`xlsx_cells`) is Python code that holds the GIL, so threads cannot run it
beside the parser; a child process can. The writer hands the child each block of rows as its
typed columns; the child spells them, deflates them on its own threads (`deflate`) and sends the
deflated bytes back in order, with the CRC and size of what went in. The parent writes them
into the zip member, so the sink and the zip stay the parent's.

The child is a plain `python -m batchscore_model.xlsx_process`, fed length-prefixed pickles on
its stdin and answering on its stdout: no `multiprocessing` (Lambda has no /dev/shm for its
queues), no fork of a process that runs threads. A thread of the parent sends and another
receives, so neither side blocks on a full pipe while the other waits for it. At most `depth`
blocks are in flight: memory stays bounded however far the parser runs ahead.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from batchscore_model.deflate import Deflater, DeflateStream, ZipMember
from batchscore_model.xlsx_cells import Column, Pieces, spell_rows

_LENGTH = struct.Struct("<Q")
DEPTH = 3  # blocks of rows in flight: one being spelled, one queued, one being sent
STOP_SECONDS = 10.0


def write_frame(stream: IO[bytes], payload: object) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)  # noqa: S301 - our own child's answers, over its own pipe


class EncoderStopped(RuntimeError):
    """The child process failed or went away; the workbook cannot be finished."""


class RowEncoder:
    """The parent's side: a child process that spells and deflates the rows of zip members.

    `open` starts a member (where an earlier stream left its CRC and size), `raw` adds bytes
    as they are, `rows` adds rows as typed columns, `close` returns the member's CRC and size
    once all of its deflated bytes are in the member.
    """

    def __init__(self, *, level: int, workers: int, depth: int = DEPTH) -> None:
        command = [sys.executable, "-m", __name__, str(level), str(workers)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self._depth = depth
        self._in_flight = 0
        self._outgoing: queue.Queue[object] = queue.Queue()
        self._answers: queue.Queue[object] = queue.Queue()
        self._member: ZipMember | None = None
        self._sender = threading.Thread(target=self._send_all, name="xlsx-send", daemon=True)
        self._receiver = threading.Thread(target=self._receive_all, name="xlsx-recv", daemon=True)
        self._sender.start()
        self._receiver.start()

    def open(self, member: ZipMember, *, crc: int = 0, size: int = 0) -> None:
        self._member = member
        self._send(("open", crc, size))

    def raw(self, data: bytes) -> None:
        self._send(("raw", data))

    def rows(self, columns: Sequence[Column] | None, start: int, stop: int, first_row: int) -> None:
        """Rows `start:stop` of `columns` (None: of the last columns sent) from `first_row`."""
        self._send(("rows", columns, start, stop, first_row))

    def close(self) -> tuple[int, int]:
        self._send(("close",))
        answer: tuple[bytes, int, int] = (b"", 0, 0)
        while self._in_flight:
            answer = self._receive()
        self._member = None
        return answer[1], answer[2]

    def shutdown(self) -> None:
        """Let the child finish and go; after a failure, stop it."""
        self._outgoing.put(None)
        self._sender.join(STOP_SECONDS)
        try:
            self._child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
        self._receiver.join(STOP_SECONDS)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._child.kill()
        self._child.wait()
        self._outgoing.put(None)

    def _send(self, message: tuple[object, ...]) -> None:
        self._outgoing.put(message)
        self._in_flight += 1
        while self._in_flight > self._depth:
            self._receive()

    def _receive(self) -> tuple[bytes, int, int]:
        answer = self._answers.get()
        self._in_flight -= 1
        if not isinstance(answer, tuple):
            self.kill()
            raise EncoderStopped(str(answer))
        assert self._member is not None
        if answer[0]:
            self._member.write_deflated(answer[0])
        return answer

    def _send_all(self) -> None:
        stdin = self._child.stdin
        assert stdin is not None
        try:
            while (message := self._outgoing.get()) is not None:
                write_frame(stdin, message)
        except (BrokenPipeError, OSError):
            pass  # the child went away: the receiver tells why
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _receive_all(self) -> None:
        stdout = self._child.stdout
        assert stdout is not None
        try:
            while (answer := read_frame(stdout)) is not None:
                self._answers.put(answer)
                if isinstance(answer, str):
                    return
        except (OSError, pickle.UnpicklingError, EOFError) as exc:
            self._answers.put(f"the sheet encoder's answer could not be read: {exc}")
            return
        code = self._child.wait()
        self._answers.put(f"the sheet encoder stopped (exit code {code})")


def serve(stdin: IO[bytes], stdout: IO[bytes], *, level: int, workers: int) -> None:
    """The child's side: answer each message with the deflated bytes ready so far, and the
    stream's CRC and size; a failure is answered with its traceback, and ends the child."""
    deflater = Deflater(level=level, workers=workers)
    ready: list[bytes] = []
    state = _Child(DeflateStream(deflater, ready.append), [])
    try:
        while (message := read_frame(stdin)) is not None:
            try:
                state = _apply(message, state, deflater, ready)
                answer: object = (b"".join(ready), state.stream.crc, state.stream.size)
            except Exception:
                write_frame(stdout, f"the sheet encoder failed:\n{traceback.format_exc()}")
                return
            ready.clear()
            write_frame(stdout, answer)
    finally:
        deflater.shutdown()


@dataclass
class _Child:
    stream: DeflateStream
    blocks: list[Pieces]  # the last columns' pieces, for rows sent without their columns


def _apply(
    message: tuple[Any, ...], state: _Child, deflater: Deflater, ready: list[bytes]
) -> _Child:
    kind = message[0]
    if kind == "open":
        _, crc, size = message
        return _Child(DeflateStream(deflater, ready.append, crc=crc, size=size), state.blocks)
    if kind == "raw":
        state.stream.write(message[1])
    elif kind == "rows":
        _, columns, start, stop, first_row = message
        if columns is not None:
            state.blocks = [column.pieces() for column in columns]
        state.stream.write(spell_rows(state.blocks, start, stop, first_row))
    elif kind == "close":
        state.stream.flush()
    else:
        raise ValueError(f"unknown message {kind!r}")
    return state


def main(argv: list[str]) -> int:
    level, workers = int(argv[0]), int(argv[1])
    serve(sys.stdin.buffer, sys.stdout.buffer, level=level, workers=workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
