"""Import benchmark: ~1,000,000 payroll rows (with their employers, workers, contracts and
the rest of a demo data set) into SQLite and into PostgreSQL, end to end (read, check,
write), each in a fresh process; prints rows per second and the importer's peak RSS.

    .venv/bin/python bench/import_bench.py [--scale 32]

Targets (issue #14, item 4): ≥ 250,000 rows/s of all files' rows into SQLite and into
PostgreSQL, under 1.5 GB peak RSS. The machine's load is printed beside the figures: on a
shared machine they are only comparable at a similar load.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH_DIR,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    generated_demo,
    run_measured,
    wageguard,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=32, help="demo scale (32 ≈ 1 M payroll)")
    args = parser.parse_args()
    folder = BENCH_DIR / f"import-scale-{args.scale}"
    manifest = generated_demo(folder, scale=args.scale)
    payroll_rows = manifest.row_counts["payroll"]
    all_rows = sum(n for name, n in manifest.row_counts.items() if name != "expected_alerts")
    print(f"data: {payroll_rows:,} payroll rows, {all_rows:,} rows in all files")
    print(f"load average before: {_load()}")
    print(
        f"{'database':<12}{'seconds':>9}{'payroll rows/s':>16}{'all rows/s':>12}"
        f"{'peak RSS MB':>13}{'re-import s':>13}{'CPU s':>8}"
    )
    for label, make_url, cleanup in (
        ("sqlite", lambda: fresh_sqlite("import"), None),
        ("postgresql", lambda: fresh_postgres("import"), drop_postgres),
    ):
        url = make_url()
        try:
            run_measured(wageguard("migrate"), url)
            first = run_measured(wageguard("import", str(folder)), url)
            again = run_measured(wageguard("import", str(folder)), url)
        finally:
            if cleanup:
                cleanup(url)
        print(
            f"{label:<12}{first.seconds:>9.1f}{payroll_rows / first.seconds:>16,.0f}"
            f"{all_rows / first.seconds:>12,.0f}{first.peak_rss_mb:>13,.0f}"
            f"{again.seconds:>13.1f}{first.cpu_seconds:>8.1f}"
        )

    print(f"load average after: {_load()}")


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


if __name__ == "__main__":
    main()
