"""Record every AWS call a handler makes, for the least-privilege check (infra/build/least_privilege.py).

Loaded by worker_main.py, before the handler is imported, when the runtime sets
`BATCHSCORE_LOCAL_AWS_CALLS_FILE` (it does when `BATCHSCORE_LOCAL_RECORD_AWS_CALLS` names a
directory). Imports only the standard library and botocore: a worker has nothing else on its path
but the function's code and layers.

Every call is one JSON line: `{"service", "operation", "region", "params"}` with only the
parameters that decide which IAM action and resource the call needs; every invocation one line
`{"invocation": {"duration_ms"}}` (what `make cost` bills). Presigned URLs and POSTs are
recorded too: whoever uses one is authorized as the function that signed it.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

# The parameters that name what a call touches; the rest (bodies, items) is not recorded.
_KEPT = (
    "Bucket",
    "Key",
    "VersionId",
    "Prefix",
    "TableName",
    "IndexName",
    "QueueUrl",
    "QueueName",
    "Name",
    "Names",
    "UserPoolId",
    "GroupName",
    "FunctionName",
)
_lock = threading.Lock()


def _summary(params: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {name: params[name] for name in _KEPT if name in params}
    if "Delete" in params:  # DeleteObjects
        kept["Objects"] = [
            {"Key": item.get("Key"), "VersionId": item.get("VersionId")}
            for item in params["Delete"].get("Objects", [])
        ]
    if "Entries" in params:  # PutEvents, SendMessageBatch, DeleteMessageBatch, ...
        kept["EventBusNames"] = [
            entry.get("EventBusName", "default")
            for entry in params["Entries"]
            if isinstance(entry, dict) and "Detail" in entry
        ]
    if "TransactItems" in params:
        kept["TransactItems"] = [
            {kind: {"TableName": body.get("TableName")} for kind, body in item.items()}
            for item in params["TransactItems"]
        ]
    if "RequestItems" in params:  # BatchGetItem, BatchWriteItem
        kept["RequestTables"] = sorted(params["RequestItems"])
    return kept


def _writer(path: str) -> Any:
    def write(service: str, operation: str, region: str | None, params: dict[str, Any]) -> None:
        line = json.dumps(
            {"service": service, "operation": operation, "region": region, "params": params},
            default=str,
        )
        with _lock, open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    return write


def record_invocation(duration_ms: float) -> None:
    """One handler invocation of this worker and how long it took."""
    path = os.environ.get("BATCHSCORE_LOCAL_AWS_CALLS_FILE")
    if path:
        line = json.dumps({"invocation": {"duration_ms": round(duration_ms, 3)}})
        with _lock, open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def install(path: str) -> None:
    """Record every call made by any botocore client in this process to `path` (JSON lines)."""
    import botocore.client
    import botocore.signers

    write = _writer(path)
    client_class: Any = botocore.client.BaseClient
    signers: Any = botocore.signers
    make_api_call = client_class._make_api_call
    presign_url = signers.generate_presigned_url
    presign_post = signers.generate_presigned_post

    def recorded_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        write(
            self.meta.service_model.service_name,
            operation_name,
            self.meta.region_name,
            _summary(api_params),
        )
        return make_api_call(self, operation_name, api_params)

    def recorded_presign_url(self: Any, ClientMethod: str, Params: Any = None, **kw: Any) -> Any:
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        write(
            self.meta.service_model.service_name,
            f"presigned:{operation}",
            self.meta.region_name,
            _summary(dict(Params or {})),
        )
        return presign_url(self, ClientMethod, Params, **kw)

    def recorded_presign_post(self: Any, Bucket: str, Key: str, *args: Any, **kw: Any) -> Any:
        write("s3", "presigned:PostObject", self.meta.region_name, {"Bucket": Bucket, "Key": Key})
        return presign_post(self, Bucket, Key, *args, **kw)

    client_class._make_api_call = recorded_api_call
    # botocore copies these onto each S3 client class it creates: patched before any client exists.
    signers.generate_presigned_url = recorded_presign_url
    signers.generate_presigned_post = recorded_presign_post


def install_from_environment() -> None:
    path = os.environ.get("BATCHSCORE_LOCAL_AWS_CALLS_FILE")
    if path:
        install(path)
