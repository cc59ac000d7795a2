"""BATCHSCORE_LOCAL_MAX_TIMEOUT_SECONDS: the local runtime caps each function's Timeout."""

from __future__ import annotations

from pathlib import Path

from infra.local.functions import FunctionSpec, capped_timeout


def spec(timeout: int) -> FunctionSpec:
    return FunctionSpec(
        logical_id="ProcessFunction",
        name="process",
        handler="process_handler.lambda_handler",
        code_dir=Path("functions/process"),
        layer_dirs=(),
        environment={},
        timeout_seconds=timeout,
        memory_mb=128,
        arn="arn:aws:lambda:us-east-1:123456789012:function:process",
        sqs_sources=(),
        http_routes=(),
    )


def test_a_longer_timeout_is_capped_and_a_shorter_one_kept() -> None:
    # Given a cap of 20 s
    # When functions of 900 s and 10 s are capped
    # Then the first runs at most 20 s, the second as the template says
    assert capped_timeout(spec(900), 20).timeout_seconds == 20
    assert capped_timeout(spec(10), 20).timeout_seconds == 10
    assert capped_timeout(spec(900), None).timeout_seconds == 900
