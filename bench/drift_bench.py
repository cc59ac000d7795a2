"""`python -m bench.drift_bench`: what drift monitoring adds to the engine's time.

One file of the default schema (30 features) is scored by the engine, then the same file's
chunks, of the engine's chunk size, go through `DriftMonitor.update` (the monitor's time only;
reading and predicting are not counted again). Both in this process, one after the other.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench.bench import generate_csv


@dataclass
class Clock:
    """Wall and CPU seconds (CPU of every thread of the process: the engine zips on a second)."""

    wall: float = 0.0
    cpu: float = 0.0

    @contextmanager
    def running(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


def time_engine(source: Path, target: Path, chunk_rows: int) -> Clock:
    from batchscore_model.bundle import load_bundle
    from batchscore_model.engine import EngineOptions, score_csv

    bundle = load_bundle()
    clock = Clock()
    with clock.running(), source.open("rb") as stream:
        options = EngineOptions(chunk_rows=chunk_rows, drift=False)  # the monitor is timed apart
        score_csv(stream, bundle, target, options=options)
    return clock


def time_drift(source: Path, chunk_rows: int) -> tuple[Clock, str]:
    """Time spent in the monitor (update and result) over the file, and the job's status."""
    from batchscore_model.bundle import load_bundle
    from batchscore_model.drift import DriftMonitor

    bundle = load_bundle()
    monitor = DriftMonitor(bundle.reference)
    clock = Clock()
    for chunk in pd.read_csv(source, chunksize=chunk_rows):
        features = chunk[bundle.info.feature_names]
        prediction = bundle.predict_frame(features)
        with clock.running():
            monitor.update(features, prediction.labels, prediction.probabilities)
    with clock.running():
        status = monitor.result().status
    return clock, status


def main(argv: list[str] | None = None) -> int:
    from batchscore_model.engine import EngineOptions
    from batchscore_model.schema import load_model_info

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=EngineOptions().chunk_rows)
    args = parser.parse_args(argv)
    columns = load_model_info().feature_names
    with tempfile.TemporaryDirectory(prefix="batchscore-drift-bench-") as workdir:
        source = Path(workdir) / "input.csv"
        generate_csv(source, args.rows, columns)
        engine = time_engine(source, Path(workdir) / "output.xlsx", args.chunk_rows)
        drift, status = time_drift(source, args.chunk_rows)
    print(f"{args.rows} rows x {len(columns)} features, chunks of {args.chunk_rows}")
    print(f"{'':8} {'engine s':>9} {'drift s':>8} {'drift/engine':>13}")
    for name, spent, spent_drift in (
        ("wall", engine.wall, drift.wall),
        ("cpu", engine.cpu, drift.cpu),
    ):
        print(f"{name:8} {spent:9.2f} {spent_drift:8.3f} {100 * spent_drift / spent:12.1f}%")
    print(f"drift status of the file: {status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
