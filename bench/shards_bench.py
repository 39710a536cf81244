"""County shards benchmark: a whole-city monitors run against every county's shard, in one
process and in two (issue #14, item 5).

    .venv/bin/python bench/shards_bench.py [--scale 33] [--databases sqlite postgresql]

The demo data set grown with --scale is imported into a fresh database and run once as of the
demo day (so every later run updates alerts rather than opening them all). Then, each in its
own process and timed: every county's shard with `--processes 1`, a whole-city run (not one
that reuses its findings: the shards' runs came between), every county's shard with
`--processes 2`. Peak RSS is per process: the whole run's own; for the shards, the largest of
the processes that ran one (a worker process runs one shard at a time), as the command
prints it per shard.
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_DIR, DATABASES, DEMO_DAY, Measured, run_measured, wageguard

SHARD_PEAK = re.compile(r"peak memory of its process (\d+) MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=33, help="demo scale (1 ≈ 300 employers)")
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=list(DATABASES))
    args = parser.parse_args()
    print(f"load average at start: {_load()}")
    print(f"{'database':<12}{'run':<24}{'shards':>7}{'wall s':>8}{'peak MB/process':>17}")
    for database in args.databases:
        make, cleanup = DATABASES[database]
        url = make(f"shards_{args.scale}")
        try:
            measure(database, url, args.scale)
        finally:
            if cleanup:
                cleanup(url)
    print(f"load average at end: {_load()}")


def measure(database: str, url: str, scale: int) -> None:
    folder = BENCH_DIR / f"shards-scale-{scale}"
    run_measured(wageguard("demo", "--scale", str(scale), "--out", str(folder)), url)
    run_measured(wageguard("monitors", "run", "--as-of", DEMO_DAY), url)
    # processes 0: a whole-city run
    runs = [("shards, 1 process", 1), ("whole city", 0), ("shards, 2 processes", 2)]
    for label, processes in runs:
        sharded = ["--shards", "--processes", str(processes)] if processes else []
        measured = run_measured(wageguard("monitors", "run", "--as-of", DEMO_DAY, *sharded), url)
        shards, peak = _shards_and_peak(measured, in_workers=processes > 1)
        print(f"{database:<12}{label:<24}{shards:>7}{measured.seconds:>8.1f}{peak:>17.0f}")


def _shards_and_peak(measured: Measured, *, in_workers: bool) -> tuple[int, float]:
    """How many shards ran, and the peak RSS of the process that held the most: the command's
    own, unless the shards ran in worker processes (the command then only waits)."""
    peaks = [float(found) for found in SHARD_PEAK.findall(measured.output)]
    if in_workers:
        return len(peaks), max(peaks)
    return len(peaks), measured.peak_rss_mb


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
