"""A small Python client and the `batchscore` command for the batchscore HTTP API."""

from batchscore_client.api import BatchscoreClient
from batchscore_client.errors import (
    ApiError,
    AuthError,
    BatchscoreClientError,
    ConfigError,
    JobDidNotSucceed,
    TransferError,
    WaitTimedOut,
)

__all__ = [
    "ApiError",
    "AuthError",
    "BatchscoreClient",
    "BatchscoreClientError",
    "ConfigError",
    "JobDidNotSucceed",
    "TransferError",
    "WaitTimedOut",
]
__version__ = "0.1.0"
