"""Check one employer again ("check again"): p50/p95/max per database.

    .venv/bin/python -m bench.check_employer_bench [--scale 167] [--employers 20]
        [--databases sqlite postgresql] [--prepared URL ...]

The demo data set grown with --scale (167 ≈ the L data set: 50,000 employers, ~5.3 M payroll
rows) is generated and imported into a fresh database (`wageguard demo --scale N`) and the
monitors run once for the whole city (`wageguard monitors run --as-of 2026-11-30`). Then
--employers employers are checked again, each once: half the largest by contracts, half at
random (seeded). Two timings per employer:

- `check_employer`: service.flows.monitor_runs.check_employer in this process, as the CLI's
  `monitors run --employer` and both buttons call it (its share of the data read, every rule
  evaluated, its alerts and risk tier reconciled, one transaction);
- `POST /api/employers/{id}/check-again`: the whole request of the inspector's button, as the
  city inspector (sign-in, scope check, the check, the audit entry), the app in this process.

The first check of each kind is a warm-up and not counted. Target (issue 14, item 2): under
1 s on the L data set. Beside the wall times, the CPU time of this process per check (the
machine is shared: wall time is CPU time plus waiting for a core) and the load average
before and after each database's timings.

--prepared URL (sqlite:///… or postgresql+psycopg://…) times an existing database on which
the demo at that scale was imported and the monitors run, instead of a fresh one (an L data
set takes twenty minutes to generate and import on a busy machine); it is not dropped.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.common import (
    BENCH_DIR,
    CITY_INSPECTOR,
    DATABASES,
    DEMO_DAY,
    app_settings,
    demo_then_monitors,
    own_peak_rss_mb,
)
from monitors.reference import load_reference
from service.app import create_app
from service.config import Settings
from service.db import make_engine
from service.flows.monitor_runs import check_employer

USER, PASSWORD = CITY_INSPECTOR


def prepare(database_url: str, scale: int) -> None:
    folder = BENCH_DIR / f"check-employer-scale-{scale}"
    demo, run = demo_then_monitors(database_url, folder, scale=scale, as_of=DEMO_DAY)
    print(f"  demo (generate + import) {demo.seconds:.1f} s, whole-city run {run.seconds:.1f} s")


def chosen_employers(engine: Engine, count: int, seed: int) -> list[tuple[int, int]]:
    """(employer id, contracts): the largest by contracts, then others at random."""
    with engine.connect() as conn:
        by_size = conn.execute(
            text(
                "SELECT e.id, count(c.id) AS contracts FROM employer e "
                "LEFT JOIN employment_contract c ON c.employer_id = e.id "
                "GROUP BY e.id ORDER BY contracts DESC, e.id"
            )
        ).all()
    largest = [(row[0], row[1]) for row in by_size[: count // 2]]
    rest = [(row[0], row[1]) for row in by_size[count // 2 :]]
    return largest + random.Random(seed).sample(rest, min(len(rest), count - len(largest)))


def summary(label: str, timings: list[float]) -> str:
    p95 = (
        statistics.quantiles(timings, n=20, method="inclusive")[-1]
        if len(timings) > 1
        else timings[0]
    )
    return (
        f"  {label:<40}{len(timings):>4}{statistics.median(timings):>9.0f}{p95:>9.0f}"
        f"{max(timings):>9.0f}"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def time_flow(
    engine: Engine, employers: list[tuple[int, int]], as_of: date
) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each check."""
    reference = load_reference(Settings().data_dir)
    check_employer(engine, reference, employer_id=employers[0][0], as_of=as_of, trigger="bench")
    wall, cpu = [], []
    for employer_id, _ in employers:
        started, used = time.perf_counter(), time.process_time()
        check_employer(engine, reference, employer_id=employer_id, as_of=as_of, trigger="bench")
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return wall, cpu


def time_api(database_url: str, employers: list[tuple[int, int]]) -> list[float]:
    settings = app_settings(database_url)
    with TestClient(create_app(settings)) as client:
        token = client.post("/api/auth/token", json={"username": USER, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        def press(employer_id: int) -> float:
            started = time.perf_counter()
            response = client.post(f"/api/employers/{employer_id}/check-again", headers=headers)
            assert response.status_code == 200, response.text
            return (time.perf_counter() - started) * 1000

        press(employers[0][0])  # warm-up
        return [press(employer_id) for employer_id, _ in employers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=167)
    parser.add_argument("--employers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=DATABASES)
    parser.add_argument("--prepared", nargs="+", default=[], metavar="URL")
    args = parser.parse_args()
    prepared = {url.split(":")[0].split("+")[0]: url for url in args.prepared}
    for database in prepared or args.databases:
        fresh, drop = DATABASES[database]
        database_url = prepared.get(database) or fresh(f"check_employer_{args.scale}")
        drop = None if database in prepared else drop
        print(f"{database}, scale {args.scale}:", flush=True)
        try:
            if database not in prepared:
                prepare(database_url, args.scale)
            engine = make_engine(database_url)
            employers = chosen_employers(engine, args.employers, args.seed)
            contracts = [n for _, n in employers]
            half = len(contracts) // 2
            print(
                f"  {len(employers)} employers: the {half} largest ({contracts[half - 1]}–"
                f"{contracts[0]} contracts) and {len(contracts) - half} at random "
                f"({min(contracts[half:], default=0)}–{max(contracts[half:], default=0)})"
            )
            print(f"  before: {load()}")
            print(f"  {'':<40}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
            wall, cpu = time_flow(engine, employers, date.fromisoformat(DEMO_DAY))
            print(summary("check_employer", wall), flush=True)
            print(summary("check_employer, CPU time", cpu), flush=True)
            api = time_api(database_url, employers)
            print(summary("POST /api/employers/{id}/check-again", api), flush=True)
            print(f"  after: {load()}", flush=True)
            engine.dispose()
        finally:
            if drop:
                drop(database_url)
    print(f"peak RSS of this process: {own_peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
