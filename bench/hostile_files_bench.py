"""Hostile-file benchmark: how fast and how small each hostile file is refused, and what
the checks cost a legitimate workbook. Each file is read in a fresh process (the reader
and checker, as the importer calls them; an employer's upload with its row limit);
prints seconds, the growth of peak RSS over the process
after its imports, and the peak.

    .venv/bin/python bench/hostile_files_bench.py [--rows 100000]

Target (issue #8): every hostile file refused within 5 s using under 300 MB.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from bench.common import BENCH_DIR, ROOT
from service.imports.spec import PAYROLL
from tests.factories import EMPLOYER_A, id_number
from tests.service.imports import hostile

# The kernel's high-water mark of the child, reset after its imports (ru_maxrss would
# carry this process's peak across fork and exec).
READ = """
import json, sys, time
from pathlib import Path
from monitors.reference import load_reference
from service.imports import checks, guards, reading
from service.imports.spec import PAYROLL

def status(field):
    line = next(l for l in open("/proc/self/status") if l.startswith(field))
    return int(line.split()[1]) / 1024

reference = load_reference()
limits = guards.FileLimits.from_settings(upload=sys.argv[2] == "upload")
open("/proc/self/clear_refs", "w").write("5")
before = status("VmRSS")
started = time.perf_counter()
frame, problems = reading.read_table(Path(sys.argv[1]), PAYROLL, limits)
if problems.empty:
    problems, _ = checks.check_file(PAYROLL, frame, "payroll.csv", reference)
seconds = time.perf_counter() - started
peak = status("VmHWM")
print(json.dumps({"seconds": seconds, "growth_mb": peak - before, "peak_mb": peak,
                  "rows": len(frame), "codes": sorted(set(problems["code"]))}))
"""


def measure(path: Path, upload: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path), "upload" if upload else "command line"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


def legitimate_workbook(path: Path, rows: int) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("payroll")
    sheet.append(list(PAYROLL.column_names))
    for n in range(rows):
        period = f"{2000 + n // 12 % 26}-{n % 12 + 1:02d}"
        sheet.append([EMPLOYER_A, id_number(n % 999 + 1), period, 5200, 5200, None, None])
    workbook.save(path)
    return path


def junk_csv(path: Path, rows: int, width: int) -> Path:
    """Well-shaped rows of distinct junk, `width` bytes a line: every cell is wrong."""
    with path.open("w") as handle:
        handle.write(",".join(PAYROLL.column_names) + "\n")
        for n in range(rows):
            handle.write(",".join(f"{n}{'x' * (width // 7)}{j}" for j in range(7)) + "\n")
    return path


def short_junk_csv(path: Path, rows: int) -> Path:
    path.write_text(",".join(PAYROLL.column_names) + "\n" + "x,y,z,w,v,u,t\n" * rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the legitimate file")
    args = parser.parse_args()
    folder = BENCH_DIR / "hostile"
    folder.mkdir(parents=True, exist_ok=True)
    values = hostile.payroll_values(EMPLOYER_A, id_number(1))
    cases = {
        "xlsx A1:XFD1048576, cell at row 1,048,576": hostile.dimension_bomb(folder / "a.xlsx"),
        "xlsx 5,000 rows under A1:XFD1048576": hostile.dimension_bomb(
            folder / "b.xlsx", [values] * 5000
        ),
        "xlsx no dimension, cell at XFD1048576": hostile.undeclared_far_cell(folder / "c.xlsx"),
        "xlsx 250 MB shared strings (zip bomb)": hostile.shared_strings_bomb(folder / "d.xlsx"),
        "xlsx billion laughs": hostile.entity_bomb(folder / "e.xlsx"),
        "csv 40,000-column header": hostile.wide_csv(folder / "f.csv"),
        "csv 50 MB single line": hostile.long_line_csv(folder / "g.csv"),
        "upload: csv 3.5 M junk rows (49 MB)": short_junk_csv(folder / "h.csv", 3_500_000),
        "upload: csv 100,000 distinct junk rows (50 MB)": junk_csv(folder / "i.csv", 100_000, 500),
        f"xlsx legitimate, {args.rows:,} rows": legitimate_workbook(
            folder / "legit.xlsx", args.rows
        ),
    }
    print(f"{'file':<46}{'size KB':>10}{'seconds':>9}{'RSS +MB':>9}{'peak MB':>9}  outcome")
    for label, path in cases.items():
        found = measure(path, upload=label.startswith("upload"))
        outcome = ", ".join(found["codes"]) or f"read and checked {found['rows']:,} rows"
        print(
            f"{label:<46}{path.stat().st_size / 1024:>10,.0f}{found['seconds']:>9.2f}"
            f"{found['growth_mb']:>9.0f}{found['peak_mb']:>9.0f}  {outcome}"
        )


if __name__ == "__main__":
    main()
