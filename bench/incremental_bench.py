"""Incremental monitors runs: a run after 1 % of the payroll rows changed, against an unchanged
re-run and a run evaluating every employer (issue #14, item 1).

    .venv/bin/python bench/incremental_bench.py [--scale 33] [--databases sqlite postgresql]

The demo grown with --scale is imported into a fresh database and run once as of the demo day
(every later run updates alerts rather than opening them all; its mail is marked sent). Then,
each in its own process:
- a run evaluating everyone (`--everyone`) with nothing changed;
- 1 % of the payroll rows re-filed by whole employers (half paid), then a run the next day: a
  whole run on the frames the first run kept, brought up to date from the changed rows (the
  other yardstick); every later run is on that day;
- a run with nothing changed: the latest run's findings reused;
- 1 % of the payroll rows re-imported changed, clustered by employer (whole employers'
  payroll re-filed, as an employer's upload or a month's file brings them), then a run
  evaluating everyone afresh: the full run; another such 1 %, then a run as it comes:
  incremental. Changed two ways: half the wages paid (alerts open, and their e-mails are queued
  in the run), then the same rows paid in full, a corrected filing (alerts resolve: no e-mail);
- 1 % of the payroll rows changed anywhere (half paid): the changes reach most employers;
after each changed run, a run evaluating everyone must find nothing to change (same alerts);
- last, a working day: 1 % by employer run as it comes, then the next day's whole run on the
  frames kept by the latest whole run, brought up to date from every change since.
The target: a changed run's time over the unchanged re-run at most 10 % of the full run,
printed against both yardsticks (the run evaluating everyone afresh, the next day's run).
"""

import argparse
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH_DIR,
    DATABASES,
    DEMO_DAY,
    Measured,
    in_child,
    run_measured,
    wageguard,
)
from service.db import make_engine

SHARE = 0.01
EVALUATED = re.compile(r"evaluated the (\d+) employers")
NOTHING_CHANGED = "0 opened, 0 updated, 0 resolved, 0 reopened"
NEXT_DAY = (date.fromisoformat(DEMO_DAY) + timedelta(days=1)).isoformat()
DAY_AFTER = (date.fromisoformat(DEMO_DAY) + timedelta(days=2)).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=33, help="demo scale (1 ≈ 300 employers)")
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=list(DATABASES))
    args = parser.parse_args()
    print(f"{'database':<12}{'run':<46}{'wall s':>8}{'peak MB':>9}  employers evaluated")
    for database in args.databases:
        make, cleanup = DATABASES[database]
        url = make(f"incremental_{args.scale}")
        try:
            measure(database, url, args.scale)
        finally:
            if cleanup:
                cleanup(url)


def measure(database: str, url: str, scale: int) -> None:
    folder = BENCH_DIR / f"incremental-scale-{scale}"
    run_measured(wageguard("demo", "--scale", str(scale), "--out", str(folder)), url)
    run_measured(monitors(DEMO_DAY), url)
    mail_went_out(url)
    show(
        database,
        "every employer, nothing changed",
        run_measured(monitors(DEMO_DAY, "--everyone"), url),
    )
    # The changed rows drawn in a child: the payroll read here would count in the peak of every
    # command started after it (common.in_child).
    pairs, first = in_child(write_changes, folder, BENCH_DIR / f"incremental-changes-{scale}")
    # The other yardstick: a change, then the next day's run, which evaluates everyone on the
    # frames the first run kept, brought up to date from the changed rows. The runs after it
    # are on that day.
    reimport(url, first)
    label = "1 % by employer, the next day: every employer"
    kept = show(database, label, run_measured(monitors(NEXT_DAY), url))
    mail_went_out(url)
    unchanged = show(database, "unchanged re-run", run_measured(monitors(NEXT_DAY), url))
    for (label, _, _), (before_full, before_run) in zip(CHANGES, pairs, strict=True):
        reimport(url, before_full)
        full = run_measured(monitors(NEXT_DAY, "--everyone"), url)
        show(database, f"{label}, every employer", full)
        reimport(url, before_run)
        run = show(database, f"{label}, as it comes", run_measured(monitors(NEXT_DAY), url))
        extra = run.seconds - unchanged.seconds
        print(
            f"{'':<12}{'  over the unchanged re-run':<46}{extra / full.seconds:>8.1%} of the full"
        )
        print(f"{'':<12}{'':<46}{extra / kept.seconds:>8.1%} of the next day's")
        check = run_measured(monitors(NEXT_DAY, "--everyone"), url)
        verdict = "same alerts" if NOTHING_CHANGED in check.output else "ALERTS DIFFER"
        print(f"{'':<12}{'  then every employer:':<46}{verdict}")
    # A working day: a filing evaluated as it comes, then the next day's whole run, which
    # brings the frames the last whole run kept up to date from every change since.
    reimport(url, pairs[0][1])
    show(database, "1 % by employer, as it comes", run_measured(monitors(NEXT_DAY), url))
    label = "  then the next day: every employer"
    show(database, label, run_measured(monitors(DAY_AFTER), url))


def write_changes(folder: Path, out: Path) -> tuple[list[tuple[Path, Path]], Path]:
    """The changed payroll files, a folder each: one before the next day's run, then for every
    change two like draws (one before a run evaluating everyone, one before a run as it comes;
    paid in full corrects the rows half paid before)."""
    payroll = pd.read_csv(folder / "payroll.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(14)
    first = _written(out / "next-day", half_paid(by_employer(payroll, rng)))
    draws = {name: (rows(payroll, rng), rows(payroll, rng)) for name, rows in ROWS.items()}
    pairs = []
    for index, (_, rows_of, change) in enumerate(CHANGES):
        before_full, before_run = draws[rows_of]
        pairs.append(
            (
                _written(out / f"{index}-every-employer", change(before_full)),
                _written(out / f"{index}-as-it-comes", change(before_run)),
            )
        )
    return pairs, first


def _written(folder: Path, rows: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows.to_csv(folder / "payroll.csv", index=False)
    return folder


def reimport(url: str, folder: Path) -> None:
    run_measured(wageguard("import", str(folder)), url)


def mail_went_out(url: str) -> None:
    """The first run opened every alert, and the inspectors' digest of the day lists them all;
    a later run's new alerts would rebuild it (18,000 alerts at M). As the digest hour would,
    mark the mail sent: the changed runs' digests then list their own news, as on a day
    after the first."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbox_message SET status = 'sent' WHERE status = 'pending'"))
    engine.dispose()


def by_employer(payroll: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Whole employers' payroll, employers drawn at random until 1 % of the rows."""
    sizes = payroll.groupby("employer_uscc").size()
    order = sizes.index[rng.permutation(len(sizes))]
    counted = sizes.reindex(order).cumsum()
    chosen = counted.index[counted <= SHARE * len(payroll)]
    return payroll[payroll["employer_uscc"].isin(chosen)]


def anywhere(payroll: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = rng.choice(len(payroll), int(SHARE * len(payroll)), replace=False)
    return payroll.iloc[np.sort(rows)]


def half_paid(rows: pd.DataFrame) -> pd.DataFrame:
    """Half the wages paid: wage alerts open, and their e-mails go out."""
    paid = pd.to_numeric(rows["amount_paid"], errors="coerce").fillna(0) / 2
    return rows.assign(amount_paid=paid.round(2).map("{:.2f}".format))


def paid_in_full(rows: pd.DataFrame) -> pd.DataFrame:
    """Every wage paid by the 28th: an employer's corrected filing; alerts resolve."""
    paid_date = rows["paid_date"].where(rows["paid_date"] != "", rows["period"] + "-28")
    return rows.assign(amount_paid=rows["amount_due"], paid_date=paid_date)


ROWS = {"by employer": by_employer, "anywhere": anywhere}
CHANGES = (
    ("1 % by employer, half paid", "by employer", half_paid),
    ("the same rows paid in full", "by employer", paid_in_full),
    ("1 % anywhere, half paid", "anywhere", half_paid),
)


def monitors(day: str, *args: str) -> list[str]:
    return wageguard("monitors", "run", "--as-of", day, *args)


def show(database: str, label: str, measured: Measured) -> Measured:
    found = EVALUATED.search(measured.output)
    evaluated = found.group(1) if found else "all"
    if "no data change" in measured.output:
        evaluated = "none (findings reused)"
    figures = f"{measured.seconds:>8.1f}{measured.peak_rss_mb:>9.0f}"
    print(f"{database:<12}{label:<46}{figures}  {evaluated}")
    return measured


if __name__ == "__main__":
    main()
