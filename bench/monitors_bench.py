"""Monitors benchmark: a full run at three scales on SQLite and PostgreSQL.

    .venv/bin/python bench/monitors_bench.py [--scales S M L] [--databases sqlite postgresql]

Each scale is the demo data set grown with --scale (S ≈ 1,000 employers, M ≈ 10,000,
L ≈ 50,000 with ~760,000 workers and ~7.7 M payroll rows), imported into a fresh database;
then `wageguard monitors run` is timed in its own process, twice (the second run sees no
data change), then as of the next day (every employer evaluated again, on the frames the
first run kept), then as of the next day with `--everyone` (the database read afresh).
Targets (issue #3): L under 60 s and 4 GB peak RSS on either database, cost per row at L at
most 1.5 × that at M, a second run under 20 % of the first.
"""

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH_DIR,
    DATABASES,
    DEMO_DAY,
    generated_demo,
    run_measured,
    wageguard,
)

SCALES = {"S": 3, "M": 33, "L": 167}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=list(DATABASES))
    args = parser.parse_args()
    print(
        f"{'scale':<6}{'database':<12}{'employers':>10}{'rows':>11}{'import s':>10}"
        f"{'run s':>8}{'rows/s':>11}{'µs/row':>8}{'peak MB':>9}{'2nd run s':>11}"
        f"{'2nd/1st':>9}{'alerts':>8}{'next day s':>11}{'MB':>6}{'afresh s':>9}{'MB':>6}"
    )
    for label in args.scales:
        folder = BENCH_DIR / f"monitors-scale-{SCALES[label]}"
        manifest = generated_demo(folder, scale=SCALES[label])
        rows = sum(n for name, n in manifest.row_counts.items() if name != "expected_alerts")
        for database in args.databases:
            make, cleanup = DATABASES[database]
            url = make(f"monitors_{label.lower()}")
            try:
                measure(label, database, url, folder, rows, manifest.row_counts["employers"])
            finally:
                if cleanup:
                    cleanup(url)


def measure(label: str, database: str, url: str, folder: Path, rows: int, employers: int) -> None:
    imported = run_measured(wageguard("import", str(folder)), url)
    first = run_measured(wageguard("monitors", "run", "--as-of", DEMO_DAY), url)
    second = run_measured(wageguard("monitors", "run", "--as-of", DEMO_DAY), url)
    next_day = str(date.fromisoformat(DEMO_DAY) + timedelta(days=1))
    kept = run_measured(wageguard("monitors", "run", "--as-of", next_day), url)
    afresh = run_measured(wageguard("monitors", "run", "--as-of", next_day, "--everyone"), url)
    alerts = first.output.split(": ", 1)[1].split(" findings")[0]
    print(
        f"{label:<6}{database:<12}{employers:>10,}{rows:>11,}{imported.seconds:>10.1f}"
        f"{first.seconds:>8.1f}{rows / first.seconds:>11,.0f}"
        f"{first.seconds / rows * 1e6:>8.2f}{first.peak_rss_mb:>9,.0f}"
        f"{second.seconds:>11.2f}{second.seconds / first.seconds:>9.0%}{alerts:>8}"
        f"{kept.seconds:>11.1f}{kept.peak_rss_mb:>6,.0f}{afresh.seconds:>9.1f}"
        f"{afresh.peak_rss_mb:>6,.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
