"""Lambda's context object, as handlers and Powertools read it."""

from __future__ import annotations

import uuid

ACCOUNT_ID = "123456789012"


class FakeLambdaContext:
    """What handlers and Powertools read from Lambda's context."""

    def __init__(self, function_name: str = "test-function", remaining_ms: int = 900_000) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "test"
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining_ms
