"""`python -m bench.drift_bench`: what drift monitoring adds to the engine's time.

One file of the default schema (30 features) is scored by the engine, then the same file's
chunks, of the engine's chunk size, go through `DriftMonitor.update` (the monitor's time only;
reading and predicting are not counted again). Both in this process, one after the other.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.bench import generate_csv


def time_engine(source: Path, target: Path, chunk_rows: int) -> float:
    from batchscore_model.bundle import load_bundle
    from batchscore_model.engine import EngineOptions, score_csv

    bundle = load_bundle()
    started = time.perf_counter()
    with source.open("rb") as stream:
        score_csv(stream, bundle, target, options=EngineOptions(chunk_rows=chunk_rows))
    return time.perf_counter() - started


def time_drift(source: Path, chunk_rows: int) -> tuple[float, str]:
    """Seconds spent in the monitor (update and result) over the file, and the job's status."""
    from batchscore_model.bundle import load_bundle
    from batchscore_model.drift import DriftMonitor

    bundle = load_bundle()
    monitor = DriftMonitor(bundle.reference)
    spent = 0.0
    for chunk in pd.read_csv(source, chunksize=chunk_rows):
        features = chunk[bundle.info.feature_names]
        prediction = bundle.predict_frame(features)
        started = time.perf_counter()
        monitor.update(features, prediction.labels, prediction.probabilities)
        spent += time.perf_counter() - started
    started = time.perf_counter()
    status = monitor.result().status
    return spent + time.perf_counter() - started, status


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
    print(
        f"{args.rows} rows x {len(columns)} features, chunks of {args.chunk_rows}: "
        f"engine {engine:.2f} s, drift {drift:.3f} s = {100 * drift / engine:.1f}% "
        f"of the engine (drift status {status})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
