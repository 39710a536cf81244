"""Reading the monitored frames: from the database against from the kept Parquet frames.

    .venv/bin/python bench/kept_frames_bench.py URL [URL …]

For each database (already imported: e.g. the L data set of bench/monitors_bench.py), in
fresh processes: every frame a whole-city run reads, read from the database (`load_snapshot`)
and through the kept frames (`load_kept_snapshot`: the first time reads the database and
keeps the frames, the second reads them as kept). Prints seconds and peak RSS of each.
"""

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url

from bench.common import DEMO_DAY, run_measured
from service.db import make_engine
from service.monitoring.kept_frames import folder_for

WAYS = ("database", "kept (first: reads and keeps)", "kept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--read", choices=("database", "kept"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read(args.read)
        return
    print(f"{'database':<12}{'read from':<32}{'seconds':>9}{'peak MB':>9}  sources")
    for url in args.urls:
        shutil.rmtree(folder_for(make_engine(url)) or "", ignore_errors=True)
        for way in WAYS:
            child = [sys.executable, __file__, "--read", way.split()[0]]
            measured = run_measured(child, url)
            print(
                f"{make_url(url).get_backend_name():<12}{way:<32}{measured.seconds:>9.1f}"
                f"{measured.peak_rss_mb:>9,.0f}  {measured.output.strip()}",
                flush=True,
            )


def read(way: str) -> None:
    from monitors.reference import load_reference
    from monitors.registry import all_rules
    from service.config import get_settings
    from service.monitoring.frames import load_snapshot
    from service.monitoring.kept_frames import load_kept_snapshot
    from service.overview import compute as overview

    engine = make_engine(get_settings().database_url)
    names = tuple(sorted({n for r in all_rules().values() for n in r.inputs} | {*overview.INPUTS}))
    reference, as_of = load_reference(), date.fromisoformat(DEMO_DAY)
    start = time.perf_counter()
    if way == "database":
        load_snapshot(engine, reference, as_of, names)
        sources = f"{len(names)} frames"
    else:
        sources = ", ".join(
            sorted(set(load_kept_snapshot(engine, reference, as_of, names).sources.values()))
        )
    print(f"{sources}; {time.perf_counter() - start:.1f} s reading (the rest: start-up)")


if __name__ == "__main__":
    main()
