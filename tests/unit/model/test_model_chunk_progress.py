"""The bytes a chunk reports as consumed: what a running job's estimated total is made from."""

from __future__ import annotations

import io

from batchscore_model.chunks import READ_BYTES, ChunkReader


def test_a_small_chunk_reports_its_own_bytes_not_the_block_read_ahead() -> None:
    # Given a 2,000-line CSV (far less than one read-ahead block), read 50 lines at a time
    lines = [b"a,b\n"] + [b"%04d,x\n" % i for i in range(2_000)]
    data = b"".join(lines)
    assert len(data) < READ_BYTES

    # When it is cut into chunks
    chunks = list(ChunkReader(io.BytesIO(data), chunk_rows=50))

    # Then each chunk's bytes read end where its text ends, so the first is about 1/40 of the file
    assert chunks[0].bytes_read == len(b"".join(lines[:50]))
    assert [c.bytes_read for c in chunks] == sorted(c.bytes_read for c in chunks)
    assert chunks[-1].bytes_read == len(data)
