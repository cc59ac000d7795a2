"""Deflate zip members on every core: blocks compressed side by side, written in order.

Each block is compressed on its own (no shared window, as pigz does) and ends with a sync
flush, so the blocks concatenate into one valid deflate stream; the member ends with an empty
final block. Compression and CRC release the GIL, so the threads run beside the Python code
that encodes the next rows. ISA-L (`isal`) is used when installed: at level 1 it measured about
4x zlib's speed with smaller output (README); zlib is the fallback.
"""

from __future__ import annotations

import os
import zipfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

try:
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - the layer ships isal; plain zlib still works
    import zlib as _zlib  # type: ignore[no-redef]

BACKEND = _zlib.__name__
DEFAULT_LEVEL = 1
BLOCK_BYTES = 1 << 20
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # BFINAL=1, fixed Huffman, end-of-block


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def deflate_block(data: bytes, level: int) -> bytes:
    compressor = _zlib.compressobj(level, _zlib.DEFLATED, -15)
    return bytes(compressor.compress(data) + compressor.flush(_zlib.Z_SYNC_FLUSH))


class _Finisher:
    """Stands in for zipfile's compressor: the blocks arrive deflated, only the end is left."""

    def compress(self, data: bytes) -> bytes:  # pragma: no cover - never called
        raise AssertionError("blocks are written deflated")

    def flush(self) -> bytes:
        return _FINAL_EMPTY_BLOCK


class Deflater:
    """A pool of compressing threads (none with one core) shared by a workbook's members."""

    def __init__(self, *, level: int = DEFAULT_LEVEL, workers: int | None = None) -> None:
        self.level = level
        self.workers = max(1, workers if workers is not None else available_cores())
        self._pool = (
            ThreadPoolExecutor(self.workers, thread_name_prefix="xlsx-deflate")
            if self.workers > 1
            else None
        )
        self.depth = 2 * self.workers + 1  # blocks in flight per member: bounded memory

    def submit(self, data: bytes) -> Future[bytes] | bytes:
        if self._pool is None:
            return deflate_block(data, self.level)
        return self._pool.submit(deflate_block, data, self.level)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


class DeflateStream:
    """One member's bytes deflated through a `Deflater`, handed to `out` in order, with the
    CRC and size of what went in (`crc` and `size` may start where another stream stopped:
    the blocks end with a sync flush, so two streams' output concatenate)."""

    def __init__(
        self, deflater: Deflater, out: Callable[[bytes], object], *, crc: int = 0, size: int = 0
    ) -> None:
        self._deflater = deflater
        self._out = out
        self._pending: deque[tuple[bytes, Future[bytes] | bytes]] = deque()
        self._buffer: list[bytes] = []
        self._buffered = 0
        self.crc = crc
        self.size = size

    def write(self, data: bytes) -> None:
        """Small writes are gathered into one block: each block costs a flush marker."""
        if self._buffered + len(data) < BLOCK_BYTES:
            self._buffer.append(data)
            self._buffered += len(data)
            return
        if self._buffer:
            data = b"".join([*self._buffer, data])
            self._buffer.clear()
            self._buffered = 0
        for start in range(0, len(data), BLOCK_BYTES):
            block = data[start : start + BLOCK_BYTES] if len(data) > BLOCK_BYTES else data
            self._pending.append((block, self._deflater.submit(block)))
            while len(self._pending) > self._deflater.depth:
                self._write_oldest()

    def flush(self) -> None:
        """Everything written so far handed to `out` (no final block: more may follow)."""
        if self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            self._buffered = 0
            self._pending.append((data, self._deflater.submit(data)))
        while self._pending:
            self._write_oldest()

    def abandon(self) -> None:
        for _, future in self._pending:
            if isinstance(future, Future):
                future.cancel()
        self._pending.clear()
        self._buffer.clear()

    def _write_oldest(self) -> None:
        block, future = self._pending.popleft()
        deflated = future.result() if isinstance(future, Future) else future
        self.crc = _zlib.crc32(block, self.crc)
        self.size += len(block)
        self._out(deflated)


class ZipMember:
    """A zip member whose content arrives deflated (`write_deflated`), with its CRC and size
    given at the end.

    zipfile has no public way to write data that is already deflated, so this sets the
    fields its own writer keeps (`_crc`, `_file_size`, `_compress_size`) and lets its `close`
    write the header or data descriptor (the same in Python 3.11 and 3.12).
    """

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        handle: Any = archive.open(name, "w", force_zip64=True)
        handle._compressor = _Finisher()
        self._handle = handle

    def write_deflated(self, deflated: bytes) -> None:
        self._handle._compress_size += len(deflated)
        self._handle._fileobj.write(deflated)

    def finish(self, crc: int, size: int) -> None:
        self._handle._crc = crc
        self._handle._file_size = size
        self._handle.close()  # the final empty block, then the sizes


class DeflatedMember:
    """One zip member written through a `Deflater`: a `DeflateStream` into a `ZipMember`."""

    def __init__(self, archive: zipfile.ZipFile, name: str, deflater: Deflater) -> None:
        self.zip_member = ZipMember(archive, name)
        self.stream = DeflateStream(deflater, self.zip_member.write_deflated)

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def close(self) -> None:
        self.stream.flush()
        self.zip_member.finish(self.stream.crc, self.stream.size)

    def abandon(self) -> None:
        self.stream.abandon()
        self.zip_member.finish(self.stream.crc, self.stream.size)  # not a workbook any more
