"""Monitor runs that write the same alerts never overlap, also across processes and machines.

A whole-city run holds the city lock exclusively. A shard run (the employers of some
counties) holds the city lock shared and each of its counties' locks exclusively: shards of
different counties run side by side, two runs of one county never do, and a whole-city run
never overlaps any shard run. Locks are tried, never waited for: a run that cannot have them
raises RunInProgress.

PostgreSQL: session advisory locks (the city one on a bigint key, a county's on the pair
(SHARD_CLASS, the county's key)). SQLite: flock on files beside the database, LOCK_SH or
LOCK_EX likewise.
"""

import fcntl
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

LOCK_KEY = zlib.crc32(b"wageguard.monitors")
NOTIFY_KEY = zlib.crc32(b"wageguard.monitors.notify")


def _int4(value: int) -> int:
    """A crc32 as PostgreSQL's int4: the two-key advisory locks take two of them."""
    return value - 2**32 if value >= 2**31 else value


SHARD_CLASS = _int4(zlib.crc32(b"wageguard.monitors.shard"))


class RunInProgress(Exception):
    """Another monitors run holds the lock."""


@contextmanager
def monitor_lock(engine: Engine) -> Iterator[None]:
    """The whole city: no other run of any kind meanwhile."""
    if engine.dialect.name == "postgresql":
        with _advisory_locks(engine, shared_city=False, counties=[]):
            yield
    else:
        with _file_lock(_lock_path(engine), fcntl.LOCK_EX):
            yield


@contextmanager
def shard_lock(engine: Engine, counties: Iterable[str]) -> Iterator[None]:
    """Some counties' employers: no whole-city run and no other run of these counties
    meanwhile; other counties' shards may run."""
    counties = sorted(set(counties))
    if engine.dialect.name == "postgresql":
        with _advisory_locks(engine, shared_city=True, counties=counties):
            yield
        return
    with ExitStack() as held:
        held.enter_context(_file_lock(_lock_path(engine), fcntl.LOCK_SH))
        for county in counties:
            held.enter_context(_file_lock(_lock_path(engine, county), fcntl.LOCK_EX))
        yield


@contextmanager
def _advisory_locks(engine: Engine, *, shared_city: bool, counties: list[str]) -> Iterator[None]:
    """The city lock (shared or exclusive) and the counties' exclusive locks, on one session;
    all or none: a lock not had releases those already taken."""
    city = ("lock_shared", {"key": LOCK_KEY}) if shared_city else ("lock", {"key": LOCK_KEY})
    wanted = [city, *[("lock", _county_key(county)) for county in counties]]
    with engine.connect() as conn:
        taken: list[tuple[str, dict[str, int]]] = []
        try:
            for kind, key in wanted:
                if not _try(conn, kind, key):
                    raise RunInProgress("a monitors run is already in progress")
                taken.append((kind, key))
            conn.commit()
            yield
        finally:
            for kind, key in reversed(taken):
                _unlock(conn, kind, key)
            conn.commit()


def _county_key(county: str) -> dict[str, int]:
    return {"class": SHARD_CLASS, "county": _int4(zlib.crc32(county.encode()))}


def _arguments(key: dict[str, int]) -> str:
    return ":key" if "key" in key else ":class, :county"


def _try(conn: Connection, kind: str, key: dict[str, int]) -> bool:
    query = f"SELECT pg_try_advisory_{kind}({_arguments(key)})"
    return bool(conn.execute(text(query), key).scalar_one())


def _unlock(conn: Connection, kind: str, key: dict[str, int]) -> None:
    suffix = "_shared" if kind == "lock_shared" else ""
    conn.execute(text(f"SELECT pg_advisory_unlock{suffix}({_arguments(key)})"), key)


def _lock_path(engine: Engine, county: str | None = None) -> Path:
    shard = f".{county}" if county else ""
    database = engine.url.database
    if not database or database == ":memory:":
        return Path(f"/tmp/wageguard-monitors{shard}.lock")
    return Path(f"{database}.monitors{shard}.lock")


@contextmanager
def _file_lock(path: Path, mode: int) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise RunInProgress("a monitors run is already in progress") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def notification_turn(conn: Connection) -> None:
    """Wait for the other runs' e-mails to be queued and committed before queuing this run's:
    shards running side by side on PostgreSQL each add to a city-wide inspector's one pending
    digest (an outbox row), and two such transactions would each miss the other's alerts.
    Held to the end of the transaction. SQLite needs none: its writers already take turns."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NOTIFY_KEY})
