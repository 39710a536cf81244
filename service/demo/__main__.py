"""`python -m service.demo OUT_DIR [--scale N] [--seed S] [--as-of YYYY-MM-DD]`."""

import argparse
import time
from datetime import date
from pathlib import Path

from monitors.reference import load_reference
from service.config import get_settings
from service.demo import generate_demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the WageGuard demo data set.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 30))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # WAGEGUARD_DATA_DIR chooses the places, as for the app (a benchmark's province)
    reference = load_reference(get_settings().data_dir)
    manifest = generate_demo(
        args.out_dir, seed=args.seed, scale=args.scale, as_of=args.as_of, reference=reference
    )
    elapsed = time.perf_counter() - started
    for name, count in manifest.row_counts.items():
        print(f"{name:22} {count:>10,}")
    print(f"written to {manifest.out_dir} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
