"""The columnar yardstick: two rules in DuckDB SQL over the contract's CSV files, beside ours.

    .venv/bin/python bench/peer_bench.py [--scale 33] [--databases sqlite postgresql]

Issue 14 measures the monitors against an independent DuckDB implementation of the rules that
reads the import files (load + evaluate). This is our own such peer for the two rules that read
the most rows — wages.unpaid (every payroll row, the contract in force each month, the pay day
brought forward to a working day, wages due on leaving) and contract.missing (the written
contract's deadline moved to the next working day) — so the yardstick is at hand:

- the peer: DuckDB loads the CSV files and evaluates both rules (its findings per rule);
- ours, like for like: the same two rules on the frames they read from the imported database
  (`load_snapshot` + `evaluate`), in this process; the findings must be the peer's;
- ours, whole: `wageguard monitors run` in its own process (all rules, alerts written): first
  right after the import (it reads the database and keeps the frames), then on each of the
  next `--rounds` days, every rule over everyone on the kept frames (issue 14's whole run),
  each beside a fresh measure of the peer: the host's speed drifts, the peer's (on every
  core) most, so a ratio is only fair against the peer of the same minute.

The demo data set grown with --scale (167 ≈ L: 50,000 employers, ~5.3 M payroll rows) is
generated once into bench/var and imported into a fresh database per kind. The official
working-day calendar is reference data: the peer gets it as a table from monitors.calendar.
Needs `duckdb` (`pip install -e '.[bench]'`; not a dependency of the service).
"""

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb
import pandas as pd

from bench.common import (
    BENCH_DIR,
    DATABASES,
    DEMO_DAY,
    generated_demo,
    in_child,
    run_measured,
    wageguard,
)
from monitors.calendar import default_calendar
from monitors.engine import evaluate
from monitors.reference import load_reference
from monitors.registry import all_rules
from monitors.rules.wages import LAST_DAY_OF_MONTH
from service.db import make_engine
from service.monitoring.frames import load_snapshot

RULES = ("wages.unpaid", "contract.missing")
FRAMES = ("employers", "projects", "payroll", "contracts", "workers")

# Keys are text (an identity number may end in X); money is yuan with two decimals.
TYPES = {
    "employer_uscc": "VARCHAR",
    "worker_id_number": "VARCHAR",
    "period": "VARCHAR",
    "amount_due": "DECIMAL(18,2)",
    "amount_paid": "DECIMAL(18,2)",
    "paid_date": "DATE",
    "start_date": "DATE",
    "signed_date": "DATE",
    "left_date": "DATE",
    "pay_day": "INTEGER",
    "employment_type": "VARCHAR",
}

# A day's last working day on or before it, and first on or after it.
CALENDAR = """
CREATE TABLE calendar AS
SELECT day,
       max(CASE WHEN working THEN day END) OVER (ORDER BY day) AS back_to,
       min(CASE WHEN working THEN day END)
           OVER (ORDER BY day ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS on_to
FROM working_days
"""

# Per (employer, period): workers paid less than due for a period whose due day has passed.
# The due day is the pay day (of the contract in force at the month's end; else the employer's
# usual one; else the month's last) in the next month, clamped to its length and brought back
# to a working day; or the day of leaving, when earlier.
WAGES_UNPAID = """
WITH rows AS (
    SELECT employer_uscc AS e, worker_id_number AS w, period,
           CAST(period || '-01' AS DATE) AS month_start,
           CAST(round(amount_due * 100) AS BIGINT) AS due,
           CASE WHEN paid_date > $as_of THEN 0
                ELSE coalesce(CAST(round(amount_paid * 100) AS BIGINT), 0) END AS paid
    FROM payroll
), short AS (
    SELECT *, last_day(month_start) AS month_end FROM rows
    WHERE paid < due AND month_start <= date_trunc('month', $as_of)
), started AS (
    SELECT employer_uscc AS e, worker_id_number AS w, start_date, pay_day, left_date
    FROM contracts WHERE start_date <= $as_of
), usual AS (
    SELECT e, arg_max(pay_day, n * 100 + pay_day) AS pay_day
    FROM (SELECT e, pay_day, count(*) AS n FROM started GROUP BY e, pay_day) GROUP BY e
), governed AS (
    SELECT s.e, s.w, s.period, s.due, s.paid, s.month_start, c.left_date,
           least(greatest(coalesce(c.pay_day, u.pay_day, $last_day), 1), $last_day) AS pay_day
    FROM short s
    ASOF LEFT JOIN started c ON s.e = c.e AND s.w = c.w AND s.month_end >= c.start_date
    LEFT JOIN usual u ON u.e = s.e
), nominal AS (
    SELECT *, month_start + INTERVAL 1 MONTH AS next_month FROM governed
), dated AS (
    SELECT n.*, k.back_to AS pay_day_due,
           n.left_date + $after_leaving AS left_day
    FROM nominal n
    JOIN calendar k ON k.day = CAST(make_date(year(n.next_month), month(n.next_month),
        least(n.pay_day, day(last_day(n.next_month)))) AS DATE)
), due AS (
    SELECT *, CASE WHEN left_day IS NOT NULL AND month_start <= left_day
                    AND left_day < pay_day_due THEN left_day ELSE pay_day_due END AS due_day
    FROM dated
)
SELECT e, period, count(*) AS workers, sum(due - paid) AS arrears
FROM due WHERE due_day < $as_of GROUP BY e, period
"""

# Per employer: full-time workers still employed after the signing deadline (the parameter's
# months from the first day, moved to the next working day) without a contract signed by then.
CONTRACT_MISSING = """
WITH started AS (
    SELECT employer_uscc AS e, worker_id_number AS w, start_date,
           CASE WHEN signed_date <= $as_of THEN signed_date END AS signed,
           CASE WHEN left_date <= $as_of THEN left_date END AS seen_left,
           CAST(start_date + to_months($deadline_months) AS DATE) AS month_mark
    FROM contracts
    WHERE start_date <= $as_of AND coalesce(employment_type, '') <> 'part_time'
), dated AS (
    SELECT s.*, coalesce(k.on_to, s.month_mark) AS deadline
    FROM started s LEFT JOIN calendar k ON k.day = s.month_mark
)
SELECT e, count(DISTINCT w) AS workers FROM dated
WHERE $as_of > deadline AND (seen_left IS NULL OR seen_left > deadline)
  AND (signed IS NULL OR signed > deadline)
GROUP BY e
"""


def working_days() -> pd.DataFrame:
    calendar = default_calendar()
    days = pd.Series(pd.date_range(calendar.first_day, calendar.last_day, freq="D"))
    return pd.DataFrame(
        {"day": days.dt.date, "working": calendar.is_working_day_many(days).to_numpy(bool)}
    )


def peer(folder: Path, as_of: date) -> tuple[float, float, dict[str, int]]:
    """DuckDB: the CSV files loaded into tables, then both rules; (load s, rules s, findings)."""
    con = duckdb.connect()
    started = time.perf_counter()
    for name in ("payroll", "contracts"):
        path = folder / f"{name}.csv"
        header = path.open(encoding="utf-8").readline().strip().split(",")
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, header = true, types = ?)",
            [str(path), {column: TYPES[column] for column in header if column in TYPES}],
        )
    con.register("working_days_frame", working_days())
    con.execute("CREATE TABLE working_days AS SELECT * FROM working_days_frame")
    con.execute(CALENDAR)
    loaded = time.perf_counter()
    reference = load_reference()
    after_leaving = int(reference.value("wages_due_on_leaving", on=as_of))
    deadline = int(reference.value("written_contract_deadline_months", on=as_of))
    values = {"as_of": as_of, "after_leaving": after_leaving, "last_day": LAST_DAY_OF_MONTH}
    unpaid = con.execute(WAGES_UNPAID, values).df()
    missing = con.execute(CONTRACT_MISSING, {"as_of": as_of, "deadline_months": deadline}).df()
    evaluated = time.perf_counter()
    con.close()
    found = {"wages.unpaid": len(unpaid), "contract.missing": len(missing)}
    return loaded - started, evaluated - loaded, found


def ours(database_url: str, as_of: date) -> tuple[float, float, dict[str, int]]:
    """The same two rules on the frames they read: (load s, rules s, findings per rule)."""
    engine = make_engine(database_url)
    reference = load_reference()
    rules = {rule_id: rule for rule_id, rule in all_rules().items() if rule_id in RULES}
    started = time.perf_counter()
    snapshot = load_snapshot(engine, reference, as_of, FRAMES)
    loaded = time.perf_counter()
    findings = evaluate(snapshot, rules)
    evaluated = time.perf_counter()
    engine.dispose()
    counts = findings.groupby("rule").size().to_dict() if not findings.empty else {}
    return loaded - started, evaluated - loaded, {rule: int(counts.get(rule, 0)) for rule in RULES}


def _next_day(folder: Path, url: str, day: date, database: str) -> None:
    """The peer, then a whole run as of `day` on the frames the runs before kept."""
    load, rules, _ = in_child(peer, folder, day)
    run = run_measured(wageguard("monitors", "run", "--as-of", day.isoformat()), url)
    ratio = run.seconds / (load + rules)
    print(f"{'ours, kept, ' + database:<28}{'':>17}{run.seconds:>9.2f}{ratio:>8.1f}"
          f"  {day}: all rules, peak {run.peak_rss_mb:,.0f} MB; the peer just before "
          f"{load + rules:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=33)
    parser.add_argument("--rounds", type=int, default=3, help="next days on the kept frames")
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=list(DATABASES))
    args = parser.parse_args()
    as_of = date.fromisoformat(DEMO_DAY)
    folder = BENCH_DIR / f"peer-scale-{args.scale}"
    manifest = generated_demo(folder, scale=args.scale, as_of=as_of)
    print(f"scale {args.scale}: {manifest.row_counts['payroll']:,} payroll rows, "
          f"{manifest.row_counts['contracts']:,} contracts")  # fmt: skip
    load, rules, peer_found = in_child(peer, folder, as_of)
    peer_total = load + rules
    print(f"{'':<28}{'load s':>8}{'rules s':>9}{'total s':>9}{'× peer':>8}  findings")
    print(f"{'peer (DuckDB, CSV)':<28}{load:>8.2f}{rules:>9.2f}{peer_total:>9.2f}{'':>8}  "
          f"{peer_found}")  # fmt: skip
    for database in args.databases:
        make, cleanup = DATABASES[database]
        url = make(f"peer_{database}")
        try:
            run_measured(wageguard("import", str(folder)), url)
            load, rules, found = in_child(ours, url, as_of)
            same = "same" if found == peer_found else f"DIFFERENT {found}"
            print(f"{'ours, 2 rules, ' + database:<28}{load:>8.2f}{rules:>9.2f}"
                  f"{load + rules:>9.2f}{(load + rules) / peer_total:>8.1f}  {same}")  # fmt: skip
            run = run_measured(wageguard("monitors", "run", "--as-of", DEMO_DAY), url)
            ratio = run.seconds / peer_total
            print(f"{'ours, full run, ' + database:<28}{'':>17}{run.seconds:>9.2f}{ratio:>8.1f}"
                  f"  all rules, peak {run.peak_rss_mb:,.0f} MB")  # fmt: skip
            for day in range(1, args.rounds + 1):
                _next_day(folder, url, as_of + timedelta(days=day), database)
        finally:
            if cleanup:
                cleanup(url)
    print(f"as of {as_of}")


if __name__ == "__main__":
    main()
