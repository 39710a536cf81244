"""A province: every county shard of an XL data set, in one process and in two (issue #14,
item 5).

    .venv/bin/python bench/province_bench.py [--scale 190] [--databases sqlite postgresql]
        [--chunk-rows N] [--import-only] [--keep]

The demo generator draws its places from the reference data, which is Wenzhou's (12 counties).
For Zhejiang's 90 county-level divisions the bench assembles a province data directory in
var/bench: data/*.csv, plus the other ten cities and their 78 counties of
bench/province/jurisdictions.csv, three stand-in towns per added county, and each added city's
leased-premises fallback copied from Wenzhou's city row (the figures stay in data/ only). Every
command below runs with WAGEGUARD_DATA_DIR pointing there; data/ itself stays Wenzhou.

Steps, each in its own process: generate the demo (`python -m service.demo --scale N`, the
generator of `wageguard demo`); import the folder in one `wageguard import` (the importer reads,
checks and writes a file in chunks, so a 26 M-row payroll fits; `--chunk-rows N` cuts payroll.csv
into files of N rows imported one after another instead); a first sharded run as of the demo
day (it opens the alerts); then, timed, every county's shard with `--processes 1` and with
`--processes 2` (`--import-only` stops after the import). No whole-province run: one process
holding every county's data would not fit the 2 GB a process may use. Peak RSS is per
process, the largest shard's.

Over 90 counties the demo grows faster with the scale than over Wenzhou's 12 (each county gets
`scale` large factories): about 134,000 payroll rows per unit, so 190 gives 26.1 M.
"""

import argparse
import csv
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_DIR, DATABASES, DEMO_DAY, ROOT, Measured, run_measured, wageguard
from bench.shards_bench import SHARD_PEAK

PROVINCE = Path(__file__).resolve().parent / "province"
TOWNS_PER_COUNTY = 3
STAND_IN = "bench stand-in, not a real place or figure (bench/province_bench.py)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=190, help="demo scale (1 ≈ 300 employers)")
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=list(DATABASES))
    parser.add_argument(
        "--chunk-rows", type=int, default=0, help="payroll rows per import (0: one import)"
    )
    parser.add_argument("--import-only", action="store_true", help="stop after the import")
    parser.add_argument("--keep", action="store_true", help="keep the files and databases")
    parser.add_argument(
        "--prepared", nargs="+", metavar="URL", help="time the shards of databases kept before"
    )
    args = parser.parse_args()
    data_dir = assemble_province(BENCH_DIR / "province-data")
    os.environ["WAGEGUARD_DATA_DIR"] = str(data_dir)
    print(f"load average at start: {_load()}")
    if args.prepared:
        for url in args.prepared:
            time_shards(url.split(":")[0].split("+")[0], url)
    else:
        generate_and_time(args)
    print(f"load average at end: {_load()}")


def generate_and_time(args: argparse.Namespace) -> None:
    folder = BENCH_DIR / f"province-scale-{args.scale}"
    generated = run_measured(
        [sys.executable, "-m", "service.demo", str(folder), "--scale", str(args.scale)], "unused"
    )
    print(generated.output.rstrip())
    print(f"generated in {generated.seconds:.0f} s, peak {generated.peak_rss_mb:.0f} MB")
    folders = split_payroll(folder, args.chunk_rows)
    try:
        for database in args.databases:
            make, cleanup = DATABASES[database]
            url = make(f"province_{args.scale}")
            try:
                import_folders(database, url, folders)
                if args.import_only:
                    continue
                first = run_measured(_shards(2), url)
                print(f"{database}: first run (opens the alerts) {first.seconds:.0f} s")
                time_shards(database, url)
            finally:
                if args.keep:
                    print(f"{database}: kept {url}")
                elif cleanup:
                    cleanup(url)
                else:
                    _remove_sqlite(url)
    finally:
        if not args.keep:
            for each in folders:
                shutil.rmtree(each)


def assemble_province(out: Path) -> Path:
    """data/ with the rest of Zhejiang's cities and counties added (see the module docstring)."""
    out.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "data").glob("*.csv"):
        shutil.copyfile(path, out / path.name)
    added = _rows(PROVINCE / "jurisdictions.csv")
    _append(out / "jurisdictions.csv", added)
    counties = [row for row in added if row["level"] == "county"]
    _append(
        out / "towns.csv",
        [_town(county, n) for county in counties for n in range(1, TOWNS_PER_COUNTY + 1)],
    )
    wenzhou = [
        row for row in _rows(out / "leased_premises_deposit.csv") if row["county_code"] == "330300"
    ]
    cities = [row["code"] for row in added if row["level"] == "city"]
    _append(
        out / "leased_premises_deposit.csv",
        [{**row, "county_code": city, "source": f"{STAND_IN}: Wenzhou's city row"}
         for city in cities for row in wenzhou],
    )  # fmt: skip
    return out


def _town(county: dict[str, str], n: int) -> dict[str, str]:
    return {
        "county_code": county["code"],
        "name_zh": f"{county['name_zh']}示例街道{n}",
        "name_en": f"{county['name_en']} Sample Subdistrict {n}",
        "status": "unconfirmed",
        "legal_basis_zh": "不适用（基准测试用地名）",
        "legal_basis_en": "n/a (a benchmark's place name)",
        "source": STAND_IN,
    }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    with path.open("a", encoding="utf-8", newline="") as file:
        csv.DictWriter(file, header, lineterminator="\n").writerows(rows)


def split_payroll(folder: Path, chunk_rows: int) -> list[Path]:
    """The folders to import in order: the demo's folder without its payroll, then payroll.csv
    cut into folders of at most `chunk_rows` rows (each row is one line: no quoted newlines in
    the demo's files); with `chunk_rows` 0, the folder whole."""
    if chunk_rows <= 0:
        return [folder]
    payroll = folder / "payroll.csv"
    chunks: list[Path] = []
    with payroll.open(encoding="utf-8") as source:
        header = source.readline()
        out = None
        for count, line in enumerate(source):
            if count % chunk_rows == 0:
                if out:
                    out.close()
                chunks.append(folder.parent / f"{folder.name}-payroll-{len(chunks) + 1}")
                chunks[-1].mkdir(exist_ok=True)
                out = (chunks[-1] / "payroll.csv").open("w", encoding="utf-8")
                out.write(header)
            assert out is not None
            out.write(line)
        if out:
            out.close()
    payroll.unlink()
    return [folder, *chunks]


def import_folders(database: str, url: str, folders: list[Path]) -> None:
    run_measured(wageguard("migrate"), url)
    for folder in folders:
        imported = run_measured(wageguard("import", str(folder)), url)
        rows = sum(_data_lines(path) for path in folder.glob("*.csv"))
        print(
            f"{database}: imported {folder.name} ({rows:,} rows) in {imported.seconds:.0f} s "
            f"({rows / imported.seconds:,.0f} rows/s), peak {imported.peak_rss_mb:.0f} MB"
        )


def _data_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1


def time_shards(database: str, url: str) -> None:
    """Every county's shard in one process, then in two (the alerts already open)."""
    counts = run_measured([sys.executable, "-c", COUNT_ROWS], url).output.split()
    print(f"{database}: {int(counts[0]):,} payroll rows, {int(counts[1])} counties with employers")
    # CPU s: the command's and its workers' own CPU time. On a shared machine a wall time
    # far above it (one process) or above half of it (two) says others held the cores.
    header = f"{'database':<12}{'run':<24}{'shards':>7}{'wall s':>8}{'CPU s':>8}"
    print(f"{header}{'peak MB/process':>17}")
    times = {}
    for processes in (1, 2):
        measured = run_measured(_shards(processes), url)
        shards, peak = _shards_and_peak(measured, in_workers=processes > 1)
        times[processes] = measured.seconds
        label = f"shards, {processes} process" + ("es" if processes > 1 else "")
        row = f"{database:<12}{label:<24}{shards:>7}{measured.seconds:>8.1f}"
        print(f"{row}{measured.cpu_seconds:>8.1f}{peak:>17.0f}")
        print(f"  load average after it: {_load()}")
    print(f"{database}: speed-up from 1 to 2 processes {times[1] / times[2]:.2f}×")


def _shards(processes: int) -> list[str]:
    return wageguard(
        "monitors", "run", "--as-of", DEMO_DAY, "--shards", "--processes", str(processes)
    )


def _shards_and_peak(measured: Measured, *, in_workers: bool) -> tuple[int, float]:
    peaks = [float(found) for found in SHARD_PEAK.findall(measured.output)]
    return len(peaks), max(peaks) if in_workers else measured.peak_rss_mb


COUNT_ROWS = """
from sqlalchemy import text
from service.config import get_settings
from service.db import get_engine
with get_engine(get_settings()).connect() as conn:
    print(conn.execute(text("SELECT count(*) FROM payroll_entry")).scalar())
    print(conn.execute(text("SELECT count(DISTINCT county_code) FROM employer")).scalar())
"""


def _remove_sqlite(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for lock in path.parent.glob(f"{path.name}.monitors.*lock"):  # the shards' lock files
        lock.unlink()


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
