"""Real databases for every test: SQLite and PostgreSQL, migrated with Alembic.

Each test run creates its own PostgreSQL database (dropped at the end), so runs never
collide; each test gets clean tables.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from monitors.reference import Reference, load_reference
from service.db import make_engine, session_scope
from service.migrate import upgrade
from service.models import metadata
from service.reference_sync import sync_reference

PG_SERVER_URL = os.environ.get(
    "WAGEGUARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def reference() -> Reference:
    return load_reference()


class PostgresServer:
    """Creates throw-away databases on the test server."""

    def __init__(self, server_url: str) -> None:
        self.url = make_url(server_url)
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        url = self.url
        return psycopg.connect(
            host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
        )

    def create_database(self) -> str:
        name = f"wageguard_test_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(PG_SERVER_URL)
    yield server
    server.drop_all()


def prepare(engine: Engine, reference: Reference) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        sync_reference(session, reference)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, reference: Reference) -> Path:
    path = tmp_path_factory.mktemp("template") / "wageguard.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare(engine, reference)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer, reference: Reference) -> str:
    url = postgres_server.create_database()
    engine = make_engine(url)
    prepare(engine, reference)
    engine.dispose()
    return url


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, reference: Reference) -> str:
    """A migrated database with reference data and no other rows."""
    if request.param == "sqlite":
        path = tmp_path / "wageguard.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate_data(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=DATABASES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres_server").create_database()


# Kept between tests: reference rows, and the data counter (runs are cleared, so no run
# can match an old fingerprint).
REFERENCE_TABLES = {"jurisdiction", "alembic_version", "data_version"}


def _truncate_data(engine: Engine) -> None:
    tables = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
