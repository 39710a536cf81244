"""Inspector pages at scale: p50/p95 of every list and file page, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.pages_bench [--scale 167] [--databases sqlite postgresql]
    .venv/bin/python -m bench.pages_bench --database-url URL   # an already prepared database

The demo data set grown with --scale (167 ≈ the L data set: 50,000 employers, ~5.3 M payroll
rows) is imported into a fresh database and the monitors run once (`--keep` leaves it there
for the next `--database-url` run); then the city inspector signs in through the login form
and each page is requested --repeat times over HTTP (the app in this process, as `wageguard
serve` runs it). The first request of each page is a warm-up and not counted. Each line also
gives the SQL statements the page ran (N+1 shows as many) and the machine's load at the end.
Target (issue 14): every page under 300 ms p95.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

from bench.common import (
    BENCH_DIR,
    CITY_INSPECTOR,
    DATABASES,
    DEMO_DAY,
    app_settings,
    demo_then_monitors,
)
from service.app import create_app

USER, PASSWORD = CITY_INSPECTOR
TARGET_MS = 300
LAST = "page=100000"  # past the end: the list shows its last page


def pages(engine: Engine) -> dict[str, str]:
    """Every inspector list and file page: each alert filter and sort, first and last page;
    the employer list's sorts, search and last pages; the file of the largest employer."""
    with engine.connect() as conn:
        county, town = conn.execute(
            text(
                "SELECT county_code, town FROM employer WHERE town IS NOT NULL "
                "GROUP BY county_code, town ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        rule = conn.execute(
            text("SELECT rule FROM alert GROUP BY rule ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
        largest, uscc = conn.execute(
            text(
                "SELECT e.id, e.uscc FROM employer e JOIN (SELECT employer_id, count(*) AS n "
                "FROM employment_contract GROUP BY employer_id ORDER BY n DESC LIMIT 1) c "
                "ON c.employer_id = e.id"
            )
        ).one()
    a, e = "/inspector/alerts", "/inspector/employers"
    found = {
        "inbox (needs action, by severity)": a,
        "inbox, last page": f"{a}?{LAST}",
        f"alerts: county {county}": f"{a}?county={county}",
        "alerts: county, last page": f"{a}?county={county}&{LAST}",
        "alerts: town": f"{a}?town={town}",
        "alerts: severity critical": f"{a}?severity=critical",
        "alerts: severity low, last page": f"{a}?severity=low&status=all&{LAST}",
        f"alerts: rule {rule}": f"{a}?rule={rule}",
        "alerts: rule, last page": f"{a}?rule={rule}&status=all&{LAST}",
        "alerts: handling new": f"{a}?handling=new",
        "alerts: search name": f"{a}?q=建设",
        "alerts: search name, last page": f"{a}?q=建设&status=all&{LAST}",
        "alerts: search USCC prefix": f"{a}?q={uscc[:8]}",
        "alerts: county + severity, by amount": f"{a}?county={county}&severity=high&sort=amount",
    }
    for status in ("open", "resolved", "closed", "all"):
        found[f"alerts: status {status}"] = f"{a}?status={status}"
    for sort in ("severity", "first_seen", "amount", "employer"):
        found[f"alerts: all, by {sort}"] = f"{a}?status=all&sort={sort}"
        found[f"alerts: all, by {sort}, last page"] = f"{a}?status=all&sort={sort}&{LAST}"
    found |= {
        "employers: first page": e,
        "employers: last page": f"{e}?{LAST}",
        "employers: by tier": f"{e}?sort=tier",
        "employers: by tier, last page": f"{e}?sort=tier&{LAST}",
        "employers: red, by tier": f"{e}?tier=red&sort=tier",
        "employers: green, last page": f"{e}?tier=green&{LAST}",
        "employers: search name": f"{e}?q=温州",
        "employers: search name, last page": f"{e}?q=温州&{LAST}",
        "employers: search USCC prefix": f"{e}?q={uscc[:8]}",
        "employer file (largest)": f"{e}/{largest}",
        "employer audit trail (largest)": f"{e}/{largest}/audit",
    }
    return found


def measure(client: TestClient, path: str, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of each request (the CPU figure leaves
    out the waiting a shared machine adds, and PostgreSQL's own work)."""
    assert client.get(path).status_code == 200, path  # warm-up, not counted
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, path
    return timings, cpu


def sign_in(client: TestClient) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    body = {"username": USER, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=body, follow_redirects=False).status_code == 303


def prepare(database_url: str, scale: int) -> None:
    folder = BENCH_DIR / f"pages-scale-{scale}"
    demo, run = demo_then_monitors(database_url, folder, scale=scale, as_of=DEMO_DAY)
    print(f"  import {demo.seconds:.1f} s, monitors run {run.seconds:.1f} s")


def bench(database_url: str, repeat: int, only: str | None) -> None:
    settings = app_settings(database_url)
    with TestClient(create_app(settings)) as client:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        statements = [0]

        @event.listens_for(engine, "before_cursor_execute")
        def count(*_: object) -> None:
            statements[0] += 1

        sign_in(client)
        print(f"  load average at start {os.getloadavg()[0]:.1f}")
        print(f"  {'page':<44}{'p50 ms':>8}{'p95 ms':>8}{'CPU ms':>8}{'SQL':>5}")
        over = []
        for label, path in pages(engine).items():
            if only and only not in label:
                continue
            before = statements[0]
            client.get(path)
            per_page = statements[0] - before
            timings, cpu = measure(client, path, repeat)
            p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[-1]
            mark = " *" if p95 > TARGET_MS else ""
            figures = f"{p50:>8.0f}{p95:>8.0f}{statistics.median(cpu):>8.0f}{per_page:>5}"
            print(f"  {label:<44}{figures}{mark}", flush=True)
            if p95 > TARGET_MS:
                over.append(label)
        print(
            f"  load average at end {os.getloadavg()[0]:.1f}; over {TARGET_MS} ms p95: {len(over)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=167)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=DATABASES)
    parser.add_argument("--database-url", help="measure this prepared database (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the databases made")
    parser.add_argument("--only", help="only the pages whose label contains this")
    args = parser.parse_args()
    if args.database_url:
        print(f"{make_url(args.database_url).get_backend_name()}, {args.database_url}:")
        bench(args.database_url, args.repeat, args.only)
        return
    for database in args.databases:
        fresh, drop = DATABASES[database]
        database_url = fresh(f"pages_{args.scale}")
        print(f"{database}, scale {args.scale}:")
        try:
            prepare(database_url, args.scale)
            bench(database_url, args.repeat, args.only)
        finally:
            if args.keep:
                print(f"  kept: --database-url {database_url}")
            elif drop:
                drop(database_url)


if __name__ == "__main__":
    main()
