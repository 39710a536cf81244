"""Guessing benchmark: what a flood of wrong PINs and wrong passwords costs the service.

    .venv/bin/python bench/guessing_bench.py [--databases sqlite postgresql] [--burst 40]

Prints the cost of one PIN check (keyed hash against Argon2), then, against `wageguard serve`
in its own process on a fresh database, a burst of parallel wrong PINs for one tracking code
and of parallel wrong passwords for one user: answers by status, latency p50/p99/max, how
many guesses were actually checked, and how long an inspector's alert inbox took during the
burst. Targets (issue #8): no 5xx, inbox under 1 s, guesses checked no more than the limits.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import select

from bench.common import DATABASES, wageguard
from monitors.reference import load_reference
from service.auth.passwords import hash_password, verify_password
from service.auth.service import create_user
from service.complaints.models import Complaint
from service.complaints.pins import pin_digest, pin_matches
from service.db import make_engine, session_scope
from service.migrate import upgrade
from service.reference_sync import sync_reference

PASSWORD = "bench-lantern-orchard-57"
COMPLAINT = {
    "county_code": "330302",
    "employer_text": "温州某鞋厂",
    "period_from": "2026-08",
    "period_to": "2026-09",
    "amount_owed": "8500",
    "description": "拖欠工资。",
    "phone": "13812345678",
}


def pin_check_costs() -> None:
    stored = pin_digest(tracking_code="WG2345678923", pin="123456")
    start = time.perf_counter()
    for _ in range(10_000):
        pin_matches(tracking_code="WG2345678923", pin="654321", stored=stored)
    keyed = (time.perf_counter() - start) / 10_000
    legacy = hash_password("123456")
    start = time.perf_counter()
    for _ in range(5):
        verify_password("654321", legacy)
    argon = (time.perf_counter() - start) / 5
    print(f"one PIN check: keyed hash {keyed * 1e6:.1f} µs, Argon2 {argon * 1e3:.0f} ms")


def prepared(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        sync_reference(session, load_reference())
        create_user(
            session=session,
            actor=None,
            username="inspector.bench",
            password=PASSWORD,
            role="inspector",
            display_name="bench",
            scopes=["330302"],
        )
    engine.dispose()


def serve(database_url: str) -> tuple[subprocess.Popen, str]:
    """`wageguard serve` in its own process, as in production (clients here do not share
    its interpreter)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "WAGEGUARD_DATABASE_URL": database_url}
    env["WAGEGUARD_SCHEDULER_ENABLED"] = "false"
    server = subprocess.Popen(
        [*wageguard("serve", "--port", str(port))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the app did not start")


def burst(base: str, path: str, body: dict, size: int, inbox_token: str) -> str:
    def one(_: int) -> tuple[int, float]:
        start = time.perf_counter()
        status = httpx.post(f"{base}{path}", json=body, timeout=120).status_code
        return status, time.perf_counter() - start

    def inbox() -> float:
        start = time.perf_counter()
        headers = {"Authorization": f"Bearer {inbox_token}"}
        assert httpx.get(f"{base}/api/alerts", headers=headers, timeout=120).status_code == 200
        return time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=size + 1) as pool:
        answers = [pool.submit(one, n) for n in range(size)]
        inbox_seconds = pool.submit(inbox).result()
        results = [future.result() for future in answers]
    statuses = [status for status, _ in results]
    times = sorted(seconds for _, seconds in results)
    counts = ", ".join(f"{s}×{statuses.count(s)}" for s in sorted(set(statuses)))
    p99 = times[min(len(times) - 1, round(0.99 * len(times)))]
    return (
        f"{counts:<16} p50 {statistics.median(times) * 1e3:6.0f} ms  p99 {p99 * 1e3:6.0f} ms  "
        f"max {times[-1] * 1e3:6.0f} ms  inbox {inbox_seconds * 1e3:5.0f} ms"
    )


def run(database: str, size: int) -> None:
    make, drop = DATABASES[database]
    url = make("guessing")
    try:
        prepared(url)
        server, base = serve(url)
        filed = httpx.post(f"{base}/api/complaints", json=COMPLAINT, timeout=60).json()
        token = httpx.post(
            f"{base}/api/auth/token",
            json={"username": "inspector.bench", "password": PASSWORD},
            timeout=60,
        ).json()["access_token"]
        wrong_pin = {"tracking_code": filed["tracking_code"], "pin": "000000"}
        pins = burst(base, "/api/complaints/status", wrong_pin, size, token)
        engine = make_engine(url)
        with session_scope(engine) as session:
            checked = session.scalar(
                select(Complaint.pin_failures).where(
                    Complaint.tracking_code == filed["tracking_code"]
                )
            )
        engine.dispose()
        print(f"{database:<11} {size} wrong PINs:      {pins}  checked {checked}")
        wrong_password = {"username": "inspector.bench", "password": "not-the-password-at-all"}
        passwords = burst(base, "/api/auth/token", wrong_password, size, token)
        print(f"{database:<11} {size} wrong passwords: {passwords}")
        server.terminate()
        server.wait(timeout=30)
    finally:
        if drop:
            time.sleep(0.5)
            drop(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=list(DATABASES), choices=DATABASES)
    parser.add_argument("--burst", type=int, default=40)
    args = parser.parse_args()
    pin_check_costs()
    for database in args.databases:
        run(database, args.burst)


if __name__ == "__main__":
    main()
