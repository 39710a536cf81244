"""Real databases for every test: SQLite and PostgreSQL, migrated with Alembic.

Each test gets a database of its own, copied from a template migrated once per run (and
per seed, such as the portals' world): a file copy on SQLite, CREATE DATABASE ... TEMPLATE
on PostgreSQL. Names are unique, so runs and xdist workers never collide; every PostgreSQL
database a run creates is dropped.
"""

import atexit
import os
import shutil
import tempfile
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import Engine, make_url

from monitors.reference import Reference, load_reference
from service.auth import passwords, signin
from service.db import make_engine, release_engines, session_scope
from service.migrate import upgrade
from service.reference_sync import sync_reference

# Cheap Argon2 for every test and every process it starts (service/auth/passwords.py);
# tests/service/auth/test_hashing_cost.py checks that production stays strong.
os.environ.setdefault("WAGEGUARD_PASSWORD_HASHING", "cheap-for-tests")
# Frames kept between monitors runs (monitoring/kept_frames.py) go to a folder of this test
# process's own, removed when it ends, and not among var/'s.
if "WAGEGUARD_FRAMES_DIR" not in os.environ:
    os.environ["WAGEGUARD_FRAMES_DIR"] = tempfile.mkdtemp(prefix="wageguard-frames-")
    atexit.register(shutil.rmtree, os.environ["WAGEGUARD_FRAMES_DIR"], ignore_errors=True)

# `--days-ahead N` (make test-later): the suite as if run N days later.
pytest_plugins = ["tests.days_ahead"]

PG_SERVER_URL = os.environ.get(
    "WAGEGUARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASES = ("sqlite", "postgresql")
# A throw-away database need not wait for its commits to reach the disk: every session on a
# test database (the app's, the CLI's, the tests' own) commits without waiting for the WAL
# flush. What a commit makes visible, and when, is unchanged.
NO_COMMIT_WAIT = "-c synchronous_commit=off"
COPIES_AHEAD = 2


@cache
def shared_reference() -> Reference:
    """The reference data, loaded once per test process as the app's lifespan does."""
    return load_reference()


@pytest.fixture
def strong_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Production's Argon2 cost, for a test that measures what a hash costs."""
    strong = passwords.HASHERS["strong"]()
    monkeypatch.setattr(passwords, "hasher", lambda: strong)
    signin._dummy_hash.cache_clear()
    yield
    signin._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def reference() -> Reference:
    return shared_reference()


class PostgresServer:
    """Creates throw-away databases on the test server, each a copy of a template."""

    def __init__(self, server_url: str) -> None:
        self.url = make_url(server_url)
        self.created: list[str] = []
        # Making or dropping a copy takes a fraction of a second (now and then seconds, when
        # the server checkpoints): both are done beside the tests, not in their way. The next
        # copies of a template are made, two at a time (the server makes two about as fast as
        # one), while the test that took the last one runs.
        self._beside = ThreadPoolExecutor(max_workers=COPIES_AHEAD, thread_name_prefix="copies")
        self._made_ahead: dict[str, deque[Future[str]]] = defaultdict(deque)

    def _admin(self) -> psycopg.Connection:
        url = self.url
        return psycopg.connect(
            host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True,
            options=NO_COMMIT_WAIT,
        )  # fmt: skip

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of `template` (a database nobody is connected to);
        a copy was usually made ahead, and the next one starts now."""
        if template is None:
            return self.url_of(self._create(None))
        ahead = self._made_ahead[template]
        name = ahead.popleft().result() if ahead else self._create(template)
        while len(ahead) < COPIES_AHEAD:
            ahead.append(self._beside.submit(self._create, template))
        return self.url_of(name)

    def _create(self, template: str | None) -> str:
        """Copying block by block (WAL_LOG) skips the checkpoints FILE_COPY would force."""
        name = f"wageguard_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
            # Per database: a copy does not inherit its template's settings.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        self.created.append(name)
        return name

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_later(self, url: str) -> None:
        name = make_url(url).database
        self.created.remove(name)
        self._beside.submit(self._drop, name)

    def _drop(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        self._beside.shutdown(wait=True)
        for name in self.created:
            self._drop(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(PG_SERVER_URL)
    yield server
    server.drop_all()


def prepare(engine: Engine, reference: Reference) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        sync_reference(session, reference)


@dataclass(frozen=True)
class Seed:
    """Rows a group of tests starts from (the portals' world): built once per database in a
    template, which each test gets a copy of. `build(engine, scratch folder, reference)`."""

    name: str
    build: Callable[[Engine, Path, Reference], None]


class Templates:
    """Per database kind and seed, a template built on first use; tests get copies: a file
    copy for SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL (faster than a TRUNCATE)."""

    def __init__(self, folder: Path, reference: Reference, postgres: PostgresServer) -> None:
        self.folder = folder
        self.reference = reference
        self.postgres = postgres
        self.built: dict[tuple[str, str], str] = {}  # (kind, seed name) -> file or database

    def copy(self, kind: str, seed: Seed | None, tmp_path: Path) -> str:
        template = self._template(kind, seed)
        if kind == "sqlite":
            path = tmp_path / "wageguard.db"
            shutil.copy(template, path)
            return f"sqlite:///{path}"
        return self.postgres.create_database(template=template)

    def _template(self, kind: str, seed: Seed | None) -> str:
        key = (kind, seed.name if seed else "")
        if key not in self.built:
            url = self._new(kind, seed)
            engine = make_engine(url)
            if seed is None:
                prepare(engine, self.reference)
            else:
                seed.build(engine, self.folder / f"{kind}-{seed.name}", self.reference)
            _settle(engine)
            self.built[key] = make_url(url).database
        return self.built[key]

    def _new(self, kind: str, seed: Seed | None) -> str:
        base = None if seed is None else self._template(kind, None)
        if kind == "sqlite":
            path = self.folder / f"{uuid.uuid4().hex[:12]}.db"
            if base:
                shutil.copy(base, path)
            return f"sqlite:///{path}"
        return self.postgres.create_database(template=base)


def _settle(engine: Engine) -> None:
    """Everything in the main SQLite file, and no connection left open to copy around."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture(scope="session")
def templates(
    tmp_path_factory: pytest.TempPathFactory, reference: Reference, postgres_server: PostgresServer
) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"), reference, postgres_server)


# A browser walk checks what a page does in the browser; the SQL under it is the same code
# the HTTP tests run on both databases (the permission matrix requests every route on each),
# so the walks run on SQLite only: on PostgreSQL too they doubled the suite's browser time.
BROWSER_DATABASES = ("sqlite",)


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Before the fixtures' own params are applied: a browser test's database, one kind."""
    if metafunc.definition.get_closest_marker("browser") and "db_url" in metafunc.fixturenames:
        metafunc.definition.add_marker(
            pytest.mark.parametrize("db_url", BROWSER_DATABASES, indirect=True)
        )


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, templates: Templates) -> Iterator[str]:
    """A migrated database of its own with reference data, and the rows of `database_seed`
    when the test uses that fixture (the portals' world)."""
    seed = None
    if "database_seed" in request.fixturenames:
        seed = request.getfixturevalue("database_seed")
    url = templates.copy(request.param, seed, tmp_path)
    yield url
    release_engines(url)  # an app left unclosed, or the CLI's engine
    if request.param == "postgresql":
        templates.postgres.drop_later(url)


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


# The browser fixtures are defined once, here, for every test folder: a second definition
# would start a second sync Playwright in the same process, which Playwright refuses.
from tests.service.portals.browser import browser, live_server  # noqa: E402, F401
