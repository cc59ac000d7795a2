"""Sheet parts deflated block by block on several threads still make one valid zip member."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pytest

from batchscore_model.deflate import BLOCK_BYTES, DeflatedMember, Deflater


@pytest.mark.parametrize("workers", [1, 4])
def test_blocks_deflated_apart_read_back_as_the_written_bytes(tmp_path: Path, workers: int) -> None:
    # Given: several blocks' worth, written in pieces of odd sizes
    data = b"".join(f'<row r="{i}"><c><v>{i * 7.25}</v></c></row>'.encode() for i in range(120_000))
    assert len(data) > 3 * BLOCK_BYTES
    deflater = Deflater(level=1, workers=workers)
    target = tmp_path / "parts.zip"
    # When
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        member = DeflatedMember(archive, "sheet.xml", deflater)
        for start in range(0, len(data), 333_333):
            member.write(data[start : start + 333_333])
        member.close()
        deflater.shutdown()
    # Then: zipfile checks the CRC and sizes while reading
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert archive.read("sheet.xml") == data
        info = archive.getinfo("sheet.xml")
    assert (info.file_size, info.CRC) == (len(data), zlib.crc32(data))
    assert info.compress_size < len(data) // 3


def test_a_member_written_to_a_stream_that_cannot_seek_is_valid(tmp_path: Path) -> None:
    # Given: a sink without seek, so zipfile writes a data descriptor
    class Unseekable:
        def __init__(self) -> None:
            self.data = bytearray()

        def write(self, chunk: bytes) -> int:
            self.data += chunk
            return len(chunk)

        def flush(self) -> None:
            pass

    sink = Unseekable()
    deflater = Deflater(workers=2)
    data = b"x" * (2 * BLOCK_BYTES + 5)
    # When
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        member = DeflatedMember(archive, "a.xml", deflater)
        member.write(data)
        member.close()
    deflater.shutdown()
    # Then
    (tmp_path / "a.zip").write_bytes(bytes(sink.data))
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.read("a.xml") == data
