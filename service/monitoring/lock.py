"""Two monitor runs never overlap, also across processes.

PostgreSQL: a session advisory lock. SQLite: an exclusive file lock beside the database.
"""

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

LOCK_KEY = zlib.crc32(b"wageguard.monitors")


class RunInProgress(Exception):
    """Another monitors run holds the lock."""


@contextmanager
def monitor_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine):
            yield
    else:
        with _file_lock(_lock_path(engine)):
            yield


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        if not got.scalar_one():
            raise RunInProgress("a monitors run is already in progress")
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()


def _lock_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        return Path("/tmp/wageguard-monitors.lock")
    return Path(f"{database}.monitors.lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise RunInProgress("a monitors run is already in progress") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
