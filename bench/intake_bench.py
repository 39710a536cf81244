"""Intake benchmark: open-loop load on anonymous `POST /api/complaints` against
`wageguard serve` on the demo data, on SQLite and on PostgreSQL.

Requests are fired on a fixed schedule whatever the answers (open loop: a slow server does not
slow the load down, as real workers' phones would not wait for each other), each with its own
Idempotency-Key and client address (a trusted local proxy's X-Forwarded-For, so the limit per
address does not refuse them) and a per-request timeout. Meanwhile an inspector reads the
alerts five times a second. Afterwards the complaints in the database are matched against the
answers received: a complaint saved whose code no client received is an orphan.

    .venv/bin/python bench/intake_bench.py [--rates 10 50 200] [--seconds 30] [--workers 1]

Targets (issue #8): at least 100 complaints/s sustained on PostgreSQL, p99 under 300 ms at
50/s, no orphans, no 5xx; beyond capacity a fast 503 and staff p99 under 1 s.
"""

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    DEMO_DAY,
    ROOT,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    run_measured,
    wageguard,
)

STAFF_PER_SECOND = 5


@dataclass
class Outcome:
    status: int | str  # an HTTP status, or the name of the transport error
    seconds: float
    tracking_code: str | None = None


@dataclass
class Round:
    rate: int
    seconds: float
    outcomes: list[Outcome] = field(default_factory=list)
    staff_seconds: list[float] = field(default_factory=list)
    staff_failures: int = 0
    client_cpu: float = 0.0  # the load generator's own CPU-seconds per second
    saved: set[str] = field(default_factory=set)
    server_cpu: float = 0.0  # CPU-seconds of the server's processes during the round
    database_cpu: float = 0.0  # CPU-seconds of the database's server processes (PostgreSQL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--timeout", type=float, default=10, help="per request, seconds")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--no-mail",
        dest="mail",
        action="store_false",
        help="leave the e-mails of the complaints filed unqueued (no sender rounds)",
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {_load()} at start")
    for database in args.databases:
        url = fresh_sqlite("intake") if database == "sqlite" else fresh_postgres("intake")
        try:
            _bench_database(database, url, args)
        finally:
            if database == "postgresql":
                drop_postgres(url)
    print(f"load average {_load()} at the end")


def _bench_database(database: str, url: str, args: argparse.Namespace) -> None:
    demo = run_measured(wageguard("demo", "--as-of", DEMO_DAY), url)
    password = re.search(r"inspector\.city\s+(\S+)", demo.output).group(1)
    employers = _employers(url)
    port = _free_port()
    sink = _mail_sink() if args.mail else None
    server = _serve(url, port, args.workers, sink_port=sink[1] if sink else None)
    try:
        base = f"http://127.0.0.1:{port}"
        token = _token(base, password)
        _warm_up(base, employers, args.workers)
        print(f"\n{database}, {args.workers} worker(s), {args.seconds:.0f} s per rate")
        print(
            f"{'rate/s':>7}{'sent':>7}{'201/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
            f"{'503':>6}{'503 p99':>8}{'429':>6}{'4xx':>6}{'5xx':>6}{'t/o':>6}{'orphans':>9}"
            f"{'staff p99 ms':>14}{'client CPU':>12}{'CPU ms/filed':>14}"
        )
        for rate in args.rates:
            before = _codes(url)
            cpu = time.process_time()
            server_cpu, database_cpu = _process_cpu(server.pid), _database_cpu(url)
            result = uvloop.run(_round(base, token, employers, rate, args))
            result.client_cpu = (time.process_time() - cpu) / args.seconds
            time.sleep(2)  # let requests the server still holds finish
            result.server_cpu = _process_cpu(server.pid) - server_cpu
            result.database_cpu = _cpu_since(_database_cpu(url), database_cpu)
            result.saved = _codes(url) - before
            _print(result)
            if args.mail:
                print(f"        {_mail_progress(url)}")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        if sink:
            sink[0].terminate()
            sink[0].wait(timeout=30)


async def _round(
    base: str, token: str, employers: list[tuple[int, str]], rate: int, args: argparse.Namespace
) -> Round:
    result = Round(rate=rate, seconds=args.seconds)
    port = int(base.rpartition(":")[2])
    async with httpx.AsyncClient(base_url=base, timeout=args.timeout) as client:
        stop = asyncio.Event()
        staff = asyncio.create_task(_staff(client, token, result, stop))
        started = time.monotonic()
        sent = []
        for i in range(int(rate * args.seconds)):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            employer_id, county = random.choice(employers)
            complaint = _complain(port, employer_id, county, result, args.timeout)
            sent.append(asyncio.create_task(complaint))
        await asyncio.gather(*sent)
        stop.set()
        await staff
    return result


async def _complain(port: int, employer_id: int, county: str, result: Round, timeout: float):
    """One worker's phone: a connection of its own, one request, the answer read to the end.
    Written on the socket rather than through an HTTP client library: the load generator
    shares the machine's two cores with the server, and httpx spent ~4 ms of CPU per request
    (a third of a core at 100/s) that the server then lacked."""
    body = json.dumps(
        {
            "county_code": county,
            "employer_id": employer_id,
            "period_from": "2026-09",
            "period_to": "2026-10",
            "amount_owed": str(random.randint(1000, 30000)),
            "workers_affected": "1",
            "description": "老板拖欠两个月工资，一直说下个月发。",
            "phone": "13812345678",
        }
    ).encode()
    address = "10." + ".".join(str(random.randint(1, 254)) for _ in range(3))
    head = (
        f"POST /api/complaints HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Idempotency-Key: {uuid.uuid4()}\r\nX-Forwarded-For: {address}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    started = time.monotonic()
    try:
        answer = await asyncio.wait_for(_exchange(port, head + body), timeout)
    except (OSError, TimeoutError) as error:
        result.outcomes.append(Outcome(type(error).__name__, time.monotonic() - started))
        return
    status_line, _, rest = answer.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    payload = rest.partition(b"\r\n\r\n")[2]
    code = json.loads(payload).get("tracking_code") if status == 201 else None
    result.outcomes.append(Outcome(status, time.monotonic() - started, code))


async def _exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await reader.read()  # Connection: close: the server ends the answer
    finally:
        writer.close()


async def _staff(client: httpx.AsyncClient, token: str, result: Round, stop: asyncio.Event):
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        started = time.monotonic()
        try:
            answer = await client.get("/api/alerts", headers=headers)
            ok = answer.status_code == 200
        except httpx.TransportError:
            ok = False
        result.staff_seconds.append(time.monotonic() - started)
        result.staff_failures += not ok
        await asyncio.sleep(1 / STAFF_PER_SECOND)


def _print(result: Round) -> None:
    statuses = [o.status for o in result.outcomes]
    filed = [o for o in result.outcomes if o.status == 201]
    answered = {o.tracking_code for o in filed}
    times = sorted(o.seconds for o in filed)
    shed_times = sorted(o.seconds for o in result.outcomes if o.status == 503)
    other_4xx = sum(isinstance(s, int) and 400 <= s < 500 and s != 429 for s in statuses)
    print(
        f"{result.rate:>7}{len(statuses):>7}{len(filed) / result.seconds:>8.1f}"
        f"{_ms(times, 50):>8}{_ms(times, 95):>8}{_ms(times, 99):>8}"
        f"{statuses.count(503):>6}{_ms(shed_times, 99):>8}{statuses.count(429):>6}{other_4xx:>6}"
        f"{sum(isinstance(s, int) and s >= 500 and s != 503 for s in statuses):>6}"
        f"{sum(isinstance(s, str) for s in statuses):>6}{len(result.saved - answered):>9}"
        f"{_ms(sorted(result.staff_seconds), 99):>14}{result.client_cpu:>12.0%}"
        f"{_cpu_per_filed(result, len(filed)):>14}"
    )
    if result.staff_failures:
        print(f"        staff requests failed: {result.staff_failures}")


def _cpu_per_filed(result: Round, filed: int) -> str:
    """Server and database CPU-milliseconds per complaint filed, all requests' work included
    (shed ones, the inspector's reads): unlike throughput, it does not depend on how busy
    the shared machine is."""
    if not filed:
        return "-"
    server, database = (1000 * cpu / filed for cpu in (result.server_cpu, result.database_cpu))
    return f"{server:.1f}+{database:.1f}"


# --- CPU accounting from /proc: the server's process tree and the database's backends -------

_TICK = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float:
    """CPU-seconds (user + system) a process has used, its threads included; 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def _process_cpu(pid: int) -> float:
    """CPU-seconds of a process and its living descendants (`--workers N` forks N)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _own_cpu(current)
        todo += children.get(current, [])
    return total


def _database_cpu(url: str) -> dict[int, float]:
    """CPU-seconds of each PostgreSQL backend serving this database (the app's pooled
    connections, which live for the whole run); {} on SQLite, which runs in the server."""
    if not url.startswith("postgresql"):
        return {}
    engine = create_engine(url)
    with engine.connect() as conn:
        pids = conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalars()
        cpu = {pid: _own_cpu(pid) for pid in pids}
    engine.dispose()
    return cpu


def _cpu_since(after: dict[int, float], before: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _ms(sorted_seconds: list[float], percentile: int) -> str:
    if not sorted_seconds:
        return "-"
    if len(sorted_seconds) == 1:
        return f"{sorted_seconds[0] * 1000:.0f}"
    cut = statistics.quantiles(sorted_seconds, n=100, method="inclusive")[percentile - 1]
    return f"{cut * 1000:.0f}"


def _serve(url: str, port: int, workers: int, *, sink_port: int | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "WAGEGUARD_DATABASE_URL": url,
        "WAGEGUARD_SCHEDULER_ENABLED": "false",
        "WAGEGUARD_MAIL_SENDER_ENABLED": "false",
        "WAGEGUARD_TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    if sink_port is not None:
        # The server's own sender rounds queue the e-mails of the complaints filed (the
        # request only marks them) and deliver them to a local sink, as `make run` does.
        env |= {"WAGEGUARD_MAIL_SENDER_ENABLED": "true", "WAGEGUARD_SMTP_PORT": str(sink_port)}
    command = wageguard("serve", "--port", str(port), "--workers", str(workers))
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("wageguard serve did not start")


def _mail_sink() -> tuple[subprocess.Popen, int]:
    port = _free_port()
    command = [sys.executable, "-m", "service.notifications.sink", "--port", str(port)]
    mail_dir = ROOT / "var" / "bench" / "intake-mail"
    sink = subprocess.Popen([*command, "--dir", str(mail_dir)], cwd=ROOT, stdout=subprocess.DEVNULL)
    return sink, port


def _warm_up(base: str, employers: list[tuple[int, str]], workers: int) -> None:
    """A few complaints before measuring: a fresh process's first ones load templates,
    compile queries and fill caches (seconds on a busy machine), which is not steady state."""

    async def warm() -> None:
        port = int(base.rpartition(":")[2])
        result = Round(rate=0, seconds=1)
        for _ in range(4 * workers):
            employer_id, county = random.choice(employers)
            await asyncio.gather(
                *(_complain(port, employer_id, county, result, 60) for _ in range(2))
            )

    asyncio.run(warm())


def _token(base: str, password: str) -> str:
    credentials = {"username": "inspector.city", "password": password}
    answer = httpx.post(f"{base}/api/auth/token", json=credentials, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


def _employers(url: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, county_code FROM employer ORDER BY id")).all()
    engine.dispose()
    return [(row.id, row.county_code) for row in rows]


def _codes(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        codes = set(conn.execute(text("SELECT tracking_code FROM complaint")).scalars())
    engine.dispose()
    return codes


def _mail_progress(url: str) -> str:
    """How far the sender's rounds had got two seconds after the round's last request."""
    engine = create_engine(url)
    with engine.connect() as conn:
        pending = conn.execute(text(_NOTICES_PENDING)).scalar()
        statuses = dict(conn.execute(text(_OUTBOX_BY_STATUS)).all())
    engine.dispose()
    return (
        f"e-mail: complaints with e-mails still to queue {pending}; outbox {statuses}"
        " (employer notices wait for the end of the week)"
    )


_NOTICES_PENDING = "SELECT COUNT(*) FROM complaint WHERE notices_pending"
_OUTBOX_BY_STATUS = "SELECT status, COUNT(*) FROM outbox_message GROUP BY status"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
