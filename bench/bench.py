"""`make bench`: rows/s and peak RSS of the engine and of the naive baseline on the same files.

Each measurement runs in a fresh interpreter so that peak RSS belongs to that run alone.
The naive baseline (`pandas.read_csv` -> predict -> `DataFrame.to_excel(engine="openpyxl")`)
runs only up to `--naive-max-rows` (it needs ~12 GB and ~7 minutes at 1M rows); the ratio
is taken at 100k rows, or at the largest size both ran.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

RATIO_ROWS = 100_000
SEED = 7


def generate_csv(path: Path, rows: int, columns: list[str], *, seed: int = SEED) -> None:
    """Rows of the default schema: training rows resampled with 2% noise, 4 decimals."""
    from sklearn.datasets import load_breast_cancer

    base = load_breast_cancer(as_frame=True).data[columns].to_numpy()
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(columns) + "\n")
        for start in range(0, rows, 100_000):
            count = min(100_000, rows - start)
            picked = base[rng.integers(0, len(base), count)]
            noisy = np.round(picked * rng.normal(1.0, 0.02, picked.shape), 4)
            pd.DataFrame(noisy).to_csv(handle, header=False, index=False, lineterminator="\n")


def run_engine(source: Path, target: Path) -> float:
    from batchscore_model.bundle import load_bundle
    from batchscore_model.engine import score_csv

    bundle = load_bundle()
    started = time.perf_counter()
    with source.open("rb") as stream:
        score_csv(stream, bundle, target)
    return time.perf_counter() - started


def run_naive(source: Path, target: Path) -> float:
    from batchscore_model.bundle import load_bundle

    bundle = load_bundle()
    started = time.perf_counter()
    frame = pd.read_csv(source)
    features = frame[bundle.info.feature_names]
    frame["prediction"] = bundle.estimator.predict(features)
    probabilities = bundle.estimator.predict_proba(features)
    for k, label in enumerate(bundle.info.classes or []):
        frame[f"probability_{label}"] = probabilities[:, k]
    frame.to_excel(target, engine="openpyxl", index=False)
    return time.perf_counter() - started


def child(kind: str, source: Path, target: Path) -> None:
    seconds = run_engine(source, target) if kind == "engine" else run_naive(source, target)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024}))


@dataclass(frozen=True)
class Measurement:
    rows: int
    seconds: float
    peak_rss_mb: float
    output_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def measure(kind: str, source: Path, target: Path, rows: int) -> Measurement:
    command = [sys.executable, "-m", "bench.bench", "--child", kind, str(source), str(target)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    output_mb = target.stat().st_size / 2**20
    target.unlink()
    return Measurement(rows, result["seconds"], result["peak_rss_mb"], output_mb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="10000,100000,1000000")
    parser.add_argument("--naive-max-rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "IN", "OUT"))
    args = parser.parse_args(argv)
    if args.child:
        kind, source, target = args.child
        child(kind, Path(source), Path(target))
        return 0
    from batchscore_model.schema import load_model_info

    columns = load_model_info().feature_names
    sizes = sorted(int(size) for size in args.rows.split(","))
    engine: dict[int, Measurement] = {}
    naive: dict[int, Measurement] = {}
    print(
        f"{'rows':>9} {'engine rows/s':>14} {'engine MB':>10} {'naive rows/s':>13} {'naive MB':>9} {'ratio':>6} {'xlsx MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="batchscore-bench-") as workdir:
        for size in sizes:
            source = Path(workdir) / f"input-{size}.csv"
            generate_csv(source, size, columns)
            engine[size] = measure("engine", source, Path(workdir) / "engine.xlsx", size)
            if size <= args.naive_max_rows:
                naive[size] = measure("naive", source, Path(workdir) / "naive.xlsx", size)
            source.unlink()
            e, n = engine[size], naive.get(size)
            naive_cols = (
                f"{n.rows_per_s:>13,.0f} {n.peak_rss_mb:>9,.0f} {e.rows_per_s / n.rows_per_s:>6.1f}"
                if n
                else f"{'skipped':>13} {'-':>9} {'-':>6}"
            )
            print(
                f"{size:>9,} {e.rows_per_s:>14,.0f} {e.peak_rss_mb:>10,.0f} {naive_cols} {e.output_mb:>8.1f}",
                flush=True,
            )
    skipped = [size for size in sizes if size not in naive]
    if skipped:
        print(
            f"naive baseline skipped at {', '.join(f'{s:,}' for s in skipped)} rows (--naive-max-rows={args.naive_max_rows})"
        )
    both = [size for size in sizes if size in naive]
    at = RATIO_ROWS if RATIO_ROWS in both else (max(both) if both else max(sizes))
    naive_rate = naive[at].rows_per_s if at in naive else float("nan")
    ratio = engine[at].rows_per_s / naive_rate
    print(f"ratio at {at:,} rows")
    print(
        f"rows_per_s={engine[at].rows_per_s:.0f} naive_rows_per_s={naive_rate:.0f} "
        f"ratio={ratio:.1f} peak_rss_mb={engine[max(sizes)].peak_rss_mb:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
