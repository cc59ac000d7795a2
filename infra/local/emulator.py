"""The AWS emulator: moto's server in a thread of the runtime, on loopback."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from infra.local.errors import LocalRuntimeError
from infra.local.moto_sqs import serialize_receives
from infra.local.moto_transactions import serialize_transactions
from infra.local.settings import LOCAL_CREDENTIAL


def _wait_listening(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise LocalRuntimeError(f"the AWS emulator did not listen on {host}:{port} within {timeout}s")


class Emulator:
    def __init__(self, host: str, port: int, region: str) -> None:
        self.host = host
        self.port = port
        self.region = region
        serialize_transactions()
        serialize_receives()
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        # One line per emulator request drowns the handlers' output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        _wait_listening(self.host, self.port, timeout=15)

    def stop(self) -> None:
        self._server.stop()

    def client(self, service: str) -> Any:
        return emulator_client(self.url, self.region, service, retries={"max_attempts": 2})


def emulator_client(url: str, region: str, service: str, **config: Any) -> Any:
    """A boto3 client of the emulator at `url`: local credentials, SigV4 (presigned URLs need it),
    and any further botocore `Config` options."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=LOCAL_CREDENTIAL,
        aws_secret_access_key=LOCAL_CREDENTIAL,
        config=Config(signature_version="s3v4", **config),
    )
