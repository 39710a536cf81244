"""Overview benchmark: the supervision overview's and the county assessment's response times
over repeated requests, on a generated data set (`wageguard demo --scale N`, monitors run as of
the demo day), and the cost of the run's summary step.

    .venv/bin/python bench/overview_bench.py [--scale 3] [--requests 200] [--database sqlite]
                                             [--assessment-requests 30] [--reuse | --url URL]
                                             [--keep] [--assessment-only]

Scale 1 is the demo (300 employers); S = 3, M = 33, L = 167 (≈ 50,000 employers), as in
bench/monitors_bench.py. Each request goes through the whole app in-process (TestClient:
routing, session, scope, the summary queries, the template), signed in; prints p50, p95 and
max per view. Target (issue #11): p95 under 300 ms at L. The page reads only the latest run's
stored summaries, so its cost grows with the number of places (12 counties, their towns), not
with employers.

The assessment (考核) report's figures are computed once per period and kept in the database
(assessment_figures) until something they depend on changes: its first request computes them
("cold"; the bench empties the table first), the repeated views read the stored row. Then two
recomputations: the page after an alert is acknowledged through the alerts service (a new key;
the snapshot-based figures still in the process), and the figures computed from the data with
nothing cached (what the first view after an import or on a new worker costs).
`--assessment-only` skips the overview's views.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH_DIR,
    DEMO_DAY,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    run_measured,
    wageguard,
)

BENCH_PASSWORD = "quiet-harbour-lantern-84"
VIEWS = {
    "city page (admin)": ("admin", "/inspector/overview"),
    "city API (admin)": ("admin", "/api/overview"),
    "county page (inspector, towns)": ("bench.lucheng", "/inspector/overview"),
    "county API (inspector, towns)": ("bench.lucheng", "/api/overview"),
    "city page, county chosen": ("admin", "/inspector/overview?county=330383"),
    "alerts inbox (a page for scale)": ("admin", "/inspector/alerts"),
}
ASSESSMENT_VIEWS = {
    "assessment page (admin, year)": ("admin", "/inspector/reports/assessment"),
    "assessment API (admin, year)": ("admin", "/api/reports/assessment"),
    "assessment page (admin, quarter)": ("admin", "/inspector/reports/assessment?quarter=4"),
    "assessment XLSX (admin, year)": ("admin", "/inspector/reports/assessment.xlsx"),
    "assessment page (inspector)": ("bench.lucheng", "/inspector/reports/assessment"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--assessment-requests", type=int, default=30)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="SQLite: measure the requests again on the data set a previous run left",
    )
    parser.add_argument("--url", help="measure the requests on this database (a kept data set)")
    parser.add_argument(
        "--keep", action="store_true", help="PostgreSQL: keep the database (printed) for --url"
    )
    parser.add_argument(
        "--assessment-only", action="store_true", help="measure the assessment's views only"
    )
    args = parser.parse_args()
    count = 0 if args.assessment_only else args.requests
    name = f"overview-{args.scale}"
    kept = BENCH_DIR / f"{name}.db"
    reused = args.url or (
        f"sqlite:///{kept}" if args.reuse and args.database == "sqlite" and kept.exists() else None
    )
    if reused:
        print(f"machine: {os.cpu_count()} CPUs, load average {_load()}")
        print(f"scale {args.scale}: the data set of a previous run ({reused})")
        _requests(reused, count, args.assessment_requests)
        return
    url = fresh_sqlite(name) if args.database == "sqlite" else fresh_postgres(name)
    try:
        # The demo's files in a folder of their own, not var/demo that `make run` writes.
        files = str(BENCH_DIR / f"{name}-{args.database}-demo")
        demo = run_measured(
            wageguard("demo", "--scale", str(args.scale), "--as-of", DEMO_DAY, "--out", files), url
        )
        run = run_measured(wageguard("monitors", "run", "--as-of", DEMO_DAY), url)
        print(f"machine: {os.cpu_count()} CPUs, load average {_load()}")
        print(
            f"{args.database}, scale {args.scale}: demo import {demo.seconds:.0f} s, "
            f"monitors run {run.seconds:.0f} s"
        )
        _summary_step(url)
        _requests(url, count, args.assessment_requests)
    finally:
        if args.database == "postgresql" and not args.keep:
            drop_postgres(url)
        elif args.database == "postgresql":
            print(f"kept: {url} (drop it when done)")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _summary_step(url: str) -> None:
    """The run's summary step alone, on the run's snapshot, rolled back."""
    from sqlalchemy import text

    from monitors.reference import load_reference
    from service.db import make_engine
    from service.monitoring.frames import load_snapshot
    from service.overview import compute

    engine = make_engine(url)
    snapshot = load_snapshot(engine, load_reference(), date.fromisoformat(DEMO_DAY), compute.INPUTS)
    with engine.connect() as conn:
        employers = conn.execute(text("SELECT count(*) FROM employer")).scalar_one()
        conn.rollback()
        transaction = conn.begin()
        run_id = int(conn.execute(text("SELECT max(run_id) FROM place_summary")).scalar_one())
        for table in ("place_summary", "place_month", "place_top_employer"):
            conn.execute(text(f"DELETE FROM {table} WHERE run_id = :r"), {"r": run_id})
        started = time.perf_counter()
        stored = compute.record_run(conn, run_id=run_id, as_of=snapshot.as_of, snapshot=snapshot)
        took = time.perf_counter() - started
        transaction.rollback()
    engine.dispose()
    print(
        f"summary step: {employers:,} employers → {stored['places']} places, "
        f"{stored['months']} place-months, {stored['top']} ranked employers in {took:.2f} s"
    )


def _requests(url: str, count: int, assessment_count: int) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import select, text

    from service.app import create_app
    from service.auth.models import User
    from service.auth.service import create_user
    from service.config import Settings
    from service.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        if session.scalar(select(User.id).where(User.username == "bench.lucheng")) is None:
            create_user(
                session=session,
                actor=None,
                username="bench.lucheng",
                password=BENCH_PASSWORD,
                role="inspector",
                display_name="bench.lucheng",
                scopes=["330302"],
            )
        # The assessment's first view computes its figures: none kept from an earlier bench.
        session.execute(text("DELETE FROM assessment_figures"))
    engine.dispose()
    passwords = {"admin": "demo-admin-2026", "bench.lucheng": BENCH_PASSWORD}
    with TestClient(create_app(Settings(database_url=url))) as client:
        headers = {user: _signed_in(client, user, password) for user, password in passwords.items()}
        print(f"{'view':<36}{'requests':>9}{'cold ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for views, times_each in ((VIEWS, count), (ASSESSMENT_VIEWS, assessment_count)):
            if times_each == 0:
                continue
            for label, (user, path) in views.items():
                _measure(client, label, path, headers[user], times_each)
        if assessment_count:
            _assessment_recomputed(url, client, headers["admin"])
        print(f"load average after: {_load()}")


def _assessment_recomputed(url: str, client, caller: dict[str, dict[str, str]]) -> None:
    """The page after an alert is acknowledged (its key changes), then the figures computed
    from the data with nothing cached, in process."""
    from sqlalchemy import text

    from monitors.reference import load_reference
    from service.alerts import service as alerts
    from service.auth.actors import Actor
    from service.db import make_engine, session_scope
    from service.flows import assessment

    engine = make_engine(url)
    with session_scope(engine) as session:
        alert_id = session.execute(
            text("SELECT id FROM alert WHERE handling = 'new' ORDER BY id LIMIT 1")
        ).scalar_one()
        admin = Actor(user_id=None, username="bench", role="admin")
        alerts.acknowledge(session=session, actor=admin, alert_id=alert_id)
    path = ASSESSMENT_VIEWS["assessment page (admin, year)"][1]
    started = time.perf_counter()
    _get(client, path, caller)
    handled = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    _get(client, path, caller)
    again = (time.perf_counter() - started) * 1000
    print(f"assessment page after an alert acknowledged: {handled:.0f} ms, then {again:.0f} ms")
    assessment._SNAPSHOT_FIGURES.clear()
    period = assessment.Period(date.fromisoformat(DEMO_DAY).year)
    indicators = assessment.indicators_on(period.end)
    started = time.perf_counter()
    with engine.connect() as conn:
        assessment.compute_figures(
            conn=conn,
            reference=load_reference(),
            period=period,
            cut_off=period.cut_off(date.fromisoformat(DEMO_DAY)),
            measures=sorted({i.measure for i in indicators}),
        )
    took = time.perf_counter() - started
    engine.dispose()
    print(f"assessment figures from the data, nothing cached: {took:.1f} s")


def _measure(client, label: str, path: str, caller: dict[str, dict[str, str]], count: int) -> None:
    started = time.perf_counter()
    _get(client, path, caller)  # the first request: templates compiled, caches filled
    cold = (time.perf_counter() - started) * 1000
    for _ in range(4):
        _get(client, path, caller)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        _get(client, path, caller)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    print(f"{label:<36}{count:>9}{cold:>9.0f}{p50:>9.1f}{p95:>9.1f}{times[-1]:>9.1f}", flush=True)


def _signed_in(client, username: str, password: str) -> dict[str, dict[str, str]]:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = {"wg_session": signed.cookies["wg_session"]}
    bearer = client.post("/api/auth/token", json={"username": username, "password": password})
    client.cookies.clear()
    return {"cookies": cookie, "auth": {"Authorization": f"Bearer {bearer.json()['access_token']}"}}


def _get(client, path: str, caller: dict[str, dict[str, str]]) -> None:
    if path.startswith("/api/"):
        response = client.get(path, headers=caller["auth"])
    else:
        client.cookies.update(caller["cookies"])
        response = client.get(path)
        client.cookies.clear()
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")


if __name__ == "__main__":
    main()
