"""template.yaml, and copies of it with one thing broken, for the template rules' tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    """template.yaml with its one occurrence of `old` replaced by `new`."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"template.yaml no longer contains {old!r} exactly once"
    path = tmp_path / "template.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path
