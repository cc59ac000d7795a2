"""The receiver code docs/partners.md gives partners verifies what batchscore really sends."""

from __future__ import annotations

import re
import time
from pathlib import Path

from batchscore_core.webhooks import signed_headers

PARTNERS_MD = Path(__file__).resolve().parents[3] / "docs" / "partners.md"
BODY = b'{"job_id":"abc","status":"SUCCEEDED"}'


def documented_verifier():
    text = PARTNERS_MD.read_text()
    block = next(
        b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "verify_batchscore" in b
    )
    namespace: dict = {}
    exec(compile(block, str(PARTNERS_MD), "exec"), namespace)  # our own docs
    return namespace


def test_the_documented_verifier_accepts_a_real_signature_and_refuses_changes():
    # Given the docs' receiver, for its client id, and headers as batchscore signs them
    docs = documented_verifier()
    owner = docs["MY_CLIENT_ID"]
    headers = signed_headers(
        b"s3cret",
        BODY,
        owner=owner,
        event="Job Succeeded",
        delivery="d" * 32,
        timestamp=int(time.time()),
    )
    args = (
        headers["X-Batchscore-Signature"],
        headers["X-Batchscore-Timestamp"],
        headers["X-Batchscore-Delivery"],
    )

    # When / Then
    assert docs["verify_batchscore"](b"s3cret", BODY, *args)
    assert not docs["verify_batchscore"](b"s3cret", BODY + b" ", *args)
    assert not docs["verify_batchscore"](b"other", BODY, *args)
    assert not docs["verify_batchscore"](b"s3cret", BODY, "v2=ünï", args[1], args[2])
