"""Shared pieces of the benchmarks: fresh databases and measured child processes."""

import multiprocessing
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy.engine import make_url

from service.config import Settings
from service.demo import DemoManifest, generate_demo

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
PG_SERVER_URL = os.environ.get(
    "WAGEGUARD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# The demo's day (`make run` loads the demo as of it) and its city-wide inspector.
DEMO_DAY = "2026-11-30"
CITY_INSPECTOR = ("inspector.city", "demo-inspector-2026")


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    output: str
    # The child's own CPU time (user + system): steadier than wall time on a busy machine,
    # but blind to the work a database server does for it.
    cpu_seconds: float = 0.0


def in_child(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in a spawned child. Linux keeps a process's peak RSS across
    fork and exec: a command started later by a benchmark that had held millions of rows itself
    would report the benchmark's peak as its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args, kwargs)


def generated_demo(folder: Path, **options: Any) -> DemoManifest:
    return in_child(generate_demo, folder, **options)


def run_measured(args: list[str], database_url: str) -> Measured:
    """Run a command in a child process; wall time and the child's own peak RSS."""
    env = {**os.environ, "WAGEGUARD_DATABASE_URL": database_url}
    start = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{output}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(seconds, usage.ru_maxrss / 1024, output, cpu)


def wageguard(*args: str) -> list[str]:
    return [sys.executable, "-m", "service", *args]


def fresh_sqlite(name: str) -> str:
    path = BENCH_DIR / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(name: str) -> str:
    url = make_url(PG_SERVER_URL)
    database = f"wageguard_bench_{name}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    return url.set(database=database).render_as_string(hide_password=False)


def drop_postgres(database_url: str) -> None:
    url = make_url(database_url)
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        dbname=make_url(PG_SERVER_URL).database,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


# The databases a benchmark runs on: how to make a fresh one by name, and how to drop it.
DATABASES = {"sqlite": (fresh_sqlite, None), "postgresql": (fresh_postgres, drop_postgres)}


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def demo_then_monitors(
    database_url: str, folder: Path, *, scale: int, as_of: str
) -> tuple[Measured, Measured]:
    """Migrate, generate and import the demo at `scale` (its files in `folder`), then run the
    monitors as of `as_of`: the demo's import and the run, measured."""
    run_measured(wageguard("migrate"), database_url)
    demo = run_measured(
        wageguard("demo", "--scale", str(scale), "--out", str(folder)), database_url
    )
    run = run_measured(wageguard("monitors", "run", "--as-of", as_of), database_url)
    return demo, run


def app_settings(database_url: str) -> Settings:
    """The app's settings for timing requests in-process: no scheduler, import jobs or mail
    sender running beside them."""
    return Settings(
        database_url=database_url,
        scheduler_enabled=False,
        import_jobs_enabled=False,
        mail_sender_enabled=False,
    )
