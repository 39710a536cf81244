"""Inspector pages at scale: p50/p95 of every list and file page, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.pages_bench [--scale 167] [--databases sqlite postgresql]

The demo data set grown with --scale (167 ≈ the L data set: 50,000 employers, ~5.3 M payroll
rows) is imported into a fresh database and the monitors run once; then the city inspector
signs in through the login form and each page is requested --repeat times over HTTP (the
app in this process, as `wageguard serve` runs it). The first request of each page is a
warm-up and not counted. Target (issue 14): every page under 300 ms p95.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from bench.common import BENCH_DIR, drop_postgres, fresh_postgres, fresh_sqlite, run_measured
from bench.common import wageguard as wageguard_command
from service.app import create_app
from service.config import Settings

AS_OF = "2026-11-30"
USER, PASSWORD = "inspector.city", "demo-inspector-2026"
DATABASES = {"sqlite": (fresh_sqlite, None), "postgresql": (fresh_postgres, drop_postgres)}


def pages(client: TestClient) -> dict[str, str]:
    """Every inspector list and file page, with the filters and sorts people use; the last
    pages are read off the first ones."""
    last_alerts = _last_page(client, "/inspector/alerts?status=all")
    last_employers = _last_page(client, "/inspector/employers")
    listed = client.get("/inspector/employers?sort=tier").text
    employer = re.search(r'href="/inspector/employers/(\d+)"', listed)
    assert employer, "no employer listed"
    return {
        "alerts: default": "/inspector/alerts",
        "alerts: county + severity, by amount": (
            "/inspector/alerts?county=330302&severity=critical&sort=amount"
        ),
        "alerts: one rule, by first seen": "/inspector/alerts?rule=wages.unpaid&sort=first_seen",
        "alerts: search": "/inspector/alerts?q=建设",
        "alerts: all statuses, last page": f"/inspector/alerts?status=all&page={last_alerts}",
        "alerts: by employer, last page": (
            f"/inspector/alerts?status=all&sort=employer&page={last_alerts}"
        ),
        "employers: first page": "/inspector/employers",
        "employers: last page": f"/inspector/employers?page={last_employers}",
        "employers: red, by tier": "/inspector/employers?tier=red&sort=tier",
        "employers: search": "/inspector/employers?q=温州",
        "employer file": f"/inspector/employers/{employer[1]}",
        "employer audit trail": f"/inspector/employers/{employer[1]}/audit",
    }


def _last_page(client: TestClient, path: str) -> int:
    """The page count the list shows (the highest `page=` link on its first page)."""
    text = client.get(path).text
    numbers = [
        int(p.split("&")[0].split('"')[0]) for p in text.split("page=")[1:] if p[:1].isdigit()
    ]
    return max(numbers, default=1)


def measure(client: TestClient, path: str, repeat: int) -> list[float]:
    assert client.get(path).status_code == 200, path  # warm-up, not counted
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return timings


def sign_in(client: TestClient) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    body = {"username": USER, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=body, follow_redirects=False).status_code == 303


def prepare(database_url: str, scale: int) -> None:
    folder = BENCH_DIR / f"pages-scale-{scale}"
    run_measured(wageguard_command("migrate"), database_url)
    demo = run_measured(
        wageguard_command("demo", "--scale", str(scale), "--out", str(folder)), database_url
    )
    run = run_measured(wageguard_command("monitors", "run", "--as-of", AS_OF), database_url)
    print(f"  import {demo.seconds:.1f} s, monitors run {run.seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=167)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=DATABASES)
    args = parser.parse_args()
    for database in args.databases:
        fresh, drop = DATABASES[database]
        database_url = fresh(f"pages_{args.scale}")
        print(f"{database}, scale {args.scale}:")
        try:
            prepare(database_url, args.scale)
            settings = Settings(
                database_url=database_url,
                scheduler_enabled=False,
                import_jobs_enabled=False,
                mail_sender_enabled=False,
            )
            with TestClient(create_app(settings)) as client:
                sign_in(client)
                print(f"  {'page':<40}{'p50 ms':>9}{'p95 ms':>9}")
                for label, path in pages(client).items():
                    timings = measure(client, path, args.repeat)
                    p95 = statistics.quantiles(timings, n=20)[-1]
                    print(f"  {label:<40}{statistics.median(timings):>9.0f}{p95:>9.0f}")
        finally:
            if drop:
                drop(database_url)


if __name__ == "__main__":
    main()
