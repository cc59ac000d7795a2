"""`python -m infra.build.size_check .aws-sam/build`: each function + its layers vs. 250 MB.

Lambda refuses a function whose code and layers exceed 262,144,000 bytes unzipped (250 MiB).
Reads the built template to know which layers each function uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.build.template_checks import logical_id
from infra.build.template_source import TemplateUnreadable, load_template

UNZIPPED_LIMIT_BYTES = 262_144_000
MIB = 1024 * 1024


class BuildIncomplete(Exception):
    """The build directory lacks the built template or a function's or layer's directory."""


def tree_size(path: Path) -> int:
    """Bytes of every file under `path`, as unzipped (apparent size; symlinks not followed)."""
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(directory, name)).st_size
    return total


@dataclass(frozen=True)
class FunctionSize:
    """One function's unzipped code and the layers it mounts, in bytes."""

    name: str
    code_bytes: int
    layer_bytes: dict[str, int]

    @property
    def total_bytes(self) -> int:
        return self.code_bytes + sum(self.layer_bytes.values())

    @property
    def over_limit(self) -> bool:
        return self.total_bytes > UNZIPPED_LIMIT_BYTES

    @property
    def headroom_bytes(self) -> int:
        """What is left under the limit (negative when over)."""
        return UNZIPPED_LIMIT_BYTES - self.total_bytes


def _artifact_dir(
    build_dir: Path, resource_name: str, properties: Mapping[str, Any], key: str
) -> Path:
    uri = properties.get(key)
    if not isinstance(uri, str):
        raise BuildIncomplete(f"{resource_name}: {key} is not a built directory: {uri!r}")
    directory = build_dir / uri
    if not directory.is_dir():
        raise BuildIncomplete(f"{resource_name}: {directory} does not exist")
    return directory


def measure_build(
    build_dir: Path, measure: Callable[[Path], int] = tree_size
) -> list[FunctionSize]:
    """Sizes of every function in `build_dir`/template.yaml, with the layers it references."""
    template_path = build_dir / "template.yaml"
    if not template_path.is_file():
        raise BuildIncomplete(f"{template_path} does not exist: run `make build` first")
    try:
        template = load_template(template_path)
    except TemplateUnreadable as exc:
        raise BuildIncomplete(str(exc)) from exc
    layer_sizes = {
        name: measure(_artifact_dir(build_dir, name, layer.get("Properties") or {}, "ContentUri"))
        for name, layer in template.resources("AWS::Serverless::LayerVersion").items()
    }
    sizes = []
    for name, function in template.resources("AWS::Serverless::Function").items():
        properties = function.get("Properties") or {}
        layers = [logical_id(layer) for layer in properties.get("Layers") or []]
        sizes.append(
            FunctionSize(
                name=name,
                code_bytes=measure(_artifact_dir(build_dir, name, properties, "CodeUri")),
                layer_bytes={layer: layer_sizes[layer] for layer in layers if layer in layer_sizes},
            )
        )
    return sorted(sizes, key=lambda size: size.name)


def _mib(size_bytes: int) -> str:
    return f"{size_bytes / MIB:7.1f} MiB"


def report(sizes: Sequence[FunctionSize]) -> str:
    """A table: function, code, layers, total, OK or OVER against the limit, and the headroom.

    Model bundles no longer ship in a layer (the registry serves them from S3), so the headroom
    is what a function has left for its code and libraries, whatever the model's size.
    """
    lines = [f"unzipped size per function (limit {_mib(UNZIPPED_LIMIT_BYTES).strip()})"]
    for size in sizes:
        layers = ", ".join(f"{name} {_mib(b).strip()}" for name, b in size.layer_bytes.items())
        verdict = "OVER" if size.over_limit else "ok"
        lines.append(
            f"  {size.name:<18} total {_mib(size.total_bytes)}  {verdict:<4}  "
            f"code {_mib(size.code_bytes).strip()}; layers: {layers or 'none'}; "
            f"headroom {_mib(size.headroom_bytes).strip()}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path, nargs="?", default=Path(".aws-sam/build"))
    arguments = parser.parse_args(argv)
    try:
        sizes = measure_build(arguments.build_dir)
    except BuildIncomplete as exc:
        print(f"size_check: {exc}", file=sys.stderr)
        return 2
    print(report(sizes))
    over = [size.name for size in sizes if size.over_limit]
    if over:
        print(f"size_check: over Lambda's unzipped limit: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
