"""Engine and sessions. Services flush, never commit: the request dependency or
session_scope() owns the transaction."""

import logging
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from service.config import Settings

log = logging.getLogger(__name__)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(
    database_url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 30
) -> Engine:
    """An engine whose pool holds `pool_size + max_overflow` connections at most; the app
    sizes it to its request threads (Settings.request_threads)."""
    url = make_url(database_url)
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            pool = {}  # one connection per thread (SingletonThreadPool): nothing to size
        else:
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # Writers take turns on SQLite: a busy connection waits up to 30 s for the lock
        # instead of failing with "database is locked".
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Pages of 8 KiB (PostgreSQL's size) instead of 4: a bulk import writes a tenth faster
    # (L: 43 → 39 s). Only a new, empty database takes it; an existing one keeps its pages.
    cursor.execute("PRAGMA page_size=8192")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A larger page cache keeps index pages of bulk imports in memory (negative = KiB).
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.close()


_engines: dict[tuple, Engine] = {}


def get_engine(settings: Settings) -> Engine:
    """One engine per database URL and pool size for the life of the process."""
    pool = (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout)
    key = (settings.database_url, *pool)
    if key not in _engines:
        _engines[key] = make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
        )
    return _engines[key]


def release_engines(database_url: str | None = None) -> None:
    """Close every pooled connection to `database_url` (to every database if None): an app at
    shutdown, so connections do not outlive it (a process serving many apps in turn would
    otherwise pile them up), or the command line when a command is done."""
    for key in [key for key in _engines if database_url in (None, key[0])]:
        _engines.pop(key).dispose()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work for jobs and the CLI: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def query_frame(conn: Connection, sql: str, columns: list[str]) -> pd.DataFrame:
    """Run a parameterless query on the driver's own cursor: plain tuples, no per-row
    Row objects, so a million rows load in a second or two."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=columns)


def rows_frame(rows: Iterable[Any], columns: list[str]) -> pd.DataFrame:
    """A query's result (SQLAlchemy Rows) as a frame, built from plain tuples: pandas probes
    each Row for attributes it lacks, and a Row answers a miss by raising inside (0.6 s of a
    whole-city run's 50,000 current risk tiers; 30 ms of 2,000 payroll rows)."""
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


# A named parameter (":name"); not a cast ("::date").
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def execute_rows(conn: Connection, statement: str, rows: list[dict[str, Any]]) -> None:
    """`statement` (named parameters, `:name`) once per row, in one executemany on the
    driver's cursor. SQLAlchemy's own handling of each row (bind processors, checks) cost five
    times the database's work: seconds of a run that writes 60,000 alerts. The values go to
    the driver as they are: dates as ISO text and JSON as its text, which SQLite stores as
    SQLAlchemy would and PostgreSQL casts from psycopg's untyped text."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        statement = _NAMED.sub(r"%(\1)s", statement)
    conn.exec_driver_sql(statement, rows)


@contextmanager
def sqlite_page_cache(conn: Connection, kib: int) -> Iterator[Connection]:
    """On SQLite, the connection's page cache held to `kib` KiB for the block, then as it
    was (the pooled connection goes back to an import with the large cache kept for it).
    A monitors run reads each page once and writes hundreds of MB of alerts and e-mail once:
    the imports' cache would only hold those pages, on top of the run's own memory."""
    if conn.dialect.name != "sqlite":
        yield conn
        return
    dbapi = conn.connection.driver_connection
    was = int(dbapi.execute("PRAGMA cache_size").fetchone()[0])
    dbapi.execute(f"PRAGMA cache_size={-kib}")  # negative: KiB, as SQLite reads it
    try:
        yield conn
    finally:
        dbapi.execute(f"PRAGMA cache_size={was}")


def refresh_statistics(conn: Connection, tables: list[str]) -> None:
    """Let the planner see what a bulk write (an import, a whole-city monitors run) left.
    Autovacuum is off on some hosts, and until PostgreSQL has analysed a freshly filled table
    it plans for an empty one: the employer list's last page took 24 s instead of 0.1 s.
    SQLite samples (analysis_limit) rather than reading every index of a million-row table."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
    for table in tables:
        conn.exec_driver_sql(f'ANALYZE "{table}"')


ANALYSIS_CACHE_KIB = 8_192


def reclaim_and_refresh(engine: Engine, tables: list[str]) -> None:
    """After a bulk rewrite, committed: on PostgreSQL, VACUUM (ANALYZE) each table, as
    autovacuum would; it is off on some hosts (this one), and there every run's updated
    alerts and tiers stayed as dead rows for good (59,040 in the employer table after eleven
    runs at L), and no page was ever marked all-visible for index-only scans. SQLite reuses
    freed pages by itself: it only analyses. A table that fails loses nothing the run wrote:
    it is logged, and the others are done all the same."""
    sqlite = engine.dialect.name == "sqlite"
    statement = "ANALYZE" if sqlite else "VACUUM (ANALYZE)"
    started = time.perf_counter()
    # VACUUM cannot run inside a transaction block: each statement is its own. SQLite reads
    # through a small page cache: the pooled connection may carry the imports' 256 MB one.
    with engine.connect() as conn, sqlite_page_cache(conn, ANALYSIS_CACHE_KIB):
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if sqlite:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        for table in tables:
            try:
                conn.exec_driver_sql(f'{statement} "{table}"')
            except SQLAlchemyError as error:
                log.warning("%s not vacuumed or analysed after a run: %s", table, error)
    log.info("%s of %d tables: %.2f s", statement, len(tables), time.perf_counter() - started)


# Ids bound in one IN list: SQLite binds at most 32,766 parameters per statement, PostgreSQL
# 65,535; a run after a large import opens more alerts than either.
IN_LIST_CHUNK = 10_000


Key = TypeVar("Key", int, str)


def id_chunks(ids: Iterable[Key], size: int | None = None) -> Iterator[list[Key]]:
    """Distinct ids (or codes) in ascending order, in lists short enough for one statement's
    IN."""
    ordered = sorted(set(ids))
    size = size or IN_LIST_CHUNK
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
