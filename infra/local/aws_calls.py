"""Where the local runtime records each function's AWS calls, and what a check needs beside them.

`BATCHSCORE_LOCAL_RECORD_AWS_CALLS=<dir>`: every worker of function `X` appends its calls to
`<dir>/X.jsonl` (aws_call_recorder.py), and the runtime writes `<dir>/physical-ids.json` (each
resource's ref and attributes, the region and the account), so that infra/build/least_privilege.py
can resolve the template's policies to the names the calls used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.local.functions import FunctionSpec
from infra.local.provision.context import Created
from infra.local.template import StackTemplate

CALLS_FILE_ENV = "BATCHSCORE_LOCAL_AWS_CALLS_FILE"
PHYSICAL_IDS_FILE = "physical-ids.json"


def calls_file(directory: Path, spec: FunctionSpec) -> Path:
    return directory / f"{spec.logical_id}.jsonl"


def write_physical_ids(directory: Path, stack: StackTemplate, created: dict[str, Created]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {
        "region": stack.resolver.region,
        "account_id": stack.resolver.account_id,
        "stack_name": stack.resolver.stack_name,
        "parameters": {key: str(value) for key, value in stack.resolver.parameters.items()},
        "resources": {
            logical_id: {"ref": result.ref, "attributes": result.attributes}
            for logical_id, result in created.items()
        },
    }
    (directory / PHYSICAL_IDS_FILE).write_text(json.dumps(document, indent=2, default=str))


def read_records(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Function logical id -> every line its workers recorded (calls and invocations), in order."""
    records: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        records[path.stem] = [json.loads(line) for line in lines if line.strip()]
    return records


def read_calls(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Function logical id -> the AWS calls its workers recorded, in order."""
    return {
        function: [line for line in lines if "service" in line]
        for function, lines in read_records(directory).items()
    }
