"""bench/bench.py: where the ratios are taken the engine and the floor alternate (and so do the
compression levels), the fastest run of each counting, and the last line carries the issue's
fields from those runs.

`measure` (a fresh interpreter per run) is replaced by a recording fake; the files are generated
for real at a few rows."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from bench import bench
from bench.bench import Measurement, best_of

FIELDS = [  # the fields of the last line
    "rows_per_s",
    "naive_rows_per_s",
    "ratio",
    "peak_rss_mb",
    "floor_rows_per_s",
    "floor_ratio",
    "mixed_rows_per_s",
    "mixed_floor_ratio",
]


class FakeRuns:
    """Each kind's runs on each file take the seconds listed for them, in turn (then
    `default`); every call is recorded."""

    def __init__(self, seconds: dict[tuple[str, str], list[float]], default: float = 1.0) -> None:
        self.seconds = seconds
        self.default = default
        self.calls: list[tuple[str, str, int]] = []
        self._taken: dict[tuple[str, str], int] = defaultdict(int)

    def __call__(self, kind: str, source: Path, target: Path, rows: int) -> Measurement:
        self.calls.append((kind, source.name, rows))
        key = kind, source.name
        listed = self.seconds.get(key, [])
        taken = self._taken[key]
        self._taken[key] += 1
        seconds = listed[taken] if taken < len(listed) else self.default
        return Measurement(rows, seconds, peak_rss_mb=100.0 + taken, output_mb=1.0)


def test_the_kinds_alternate_and_the_fastest_run_of_each_counts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runs = FakeRuns({("engine", "in.csv"): [3.0, 2.0, 2.5], ("floor", "in.csv"): [1.5, 1.8, 1.2]})
    monkeypatch.setattr(bench, "measure", runs)

    best = best_of(["engine", "floor"], tmp_path / "in.csv", tmp_path / "out.xlsx", 1000, 3)

    assert [kind for kind, _, _ in runs.calls] == ["engine", "floor"] * 3
    # The fake's peak is 100 MB plus the run's turn: the engine's second run, the floor's third.
    assert best["engine"].peak_rss_mb == 101.0
    assert best["floor"].peak_rss_mb == 102.0


def _last_line_fields(output: str) -> dict[str, str]:
    last = output.strip().splitlines()[-1]
    return dict(pair.split("=", 1) for pair in last.split())


def test_the_floor_ratios_come_from_the_best_of_three_at_the_largest_size(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The engine's slow first run and the floor's slow second one must not count.
    engine, floor = "engine:all:1", "floor"
    runs = FakeRuns(
        {
            (engine, "numeric-50.csv"): [0.90, 0.50, 0.60],
            (floor, "numeric-50.csv"): [0.20, 0.40, 0.25],
            (engine, "mixed-50.csv"): [0.45, 0.50, 0.40],
            (floor, "mixed-50.csv"): [0.30, 0.20, 0.25],
            ("engine:1:1", "numeric-50.csv"): [0.80, 0.50, 0.75],
        },
        default=0.05,  # faster than all of them: had any other run counted, the ratios would move
    )
    monkeypatch.setattr(bench, "measure", runs)

    assert bench.main(["--rows", "20,50", "--naive-max-rows", "20", "--levels", "0,1"]) == 0

    fields = _last_line_fields(capsys.readouterr().out)
    assert set(FIELDS) <= set(fields)
    by_file = defaultdict(list)
    for kind, name, _ in runs.calls:
        by_file[name].append(kind)
    # 50 rows is the largest size and the nearest to 100k: three turns (with one core, and without
    # drift); 20 rows, one run each.
    one_core, no_drift = "engine:1:1", "engine-nodrift:all:1"
    assert by_file["numeric-50.csv"][:12] == [engine, floor, one_core, no_drift] * 3
    assert by_file["numeric-50.csv"][12:18] == ["engine:all:0", engine] * 3  # the levels
    assert by_file["mixed-50.csv"] == [engine, floor, one_core] * 3
    assert sorted(by_file["mixed-20.csv"]) == sorted([engine, floor, one_core])
    assert float(fields["floor_rows_per_s"]) == pytest.approx(50 / 0.20, rel=1e-3)
    assert float(fields["floor_ratio"]) == pytest.approx(0.20 / 0.50, abs=0.006)
    assert float(fields["mixed_rows_per_s"]) == pytest.approx(50 / 0.40, rel=1e-3)
    assert float(fields["mixed_floor_ratio"]) == pytest.approx(0.20 / 0.40, abs=0.006)
    assert float(fields["one_core_rows_per_s"]) == pytest.approx(50 / 0.50, abs=1)
