"""`wageguard migrate` creates the schema, is idempotent, and matches the models."""

import os
import sqlite3
import subprocess
import sys
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from service.db import make_engine
from service.migrate import alembic_config, newest_revision
from service.models import metadata


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAGEGUARD_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_twice_in_a_row(empty_db_url):
    first = run_cli("migrate", database_url=empty_db_url)
    assert first.returncode == 0, first.stderr
    engine = make_engine(empty_db_url)
    tables_after_first = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        counties = conn.execute(
            text("SELECT COUNT(*) FROM jurisdiction WHERE level = 'county'")
        ).scalar_one()
    second = run_cli("migrate", database_url=empty_db_url)
    assert second.returncode == 0, second.stderr
    assert {"employer", "payroll_entry", "audit_log"} <= tables_after_first
    assert set(inspect(engine).get_table_names()) == tables_after_first
    assert counties == 12
    engine.dispose()


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; the migration creates them explicitly.
        warnings.simplefilter("ignore", UserWarning)
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_new_sqlite_database_has_8_kib_pages_and_an_old_one_keeps_its_own(tmp_path):
    old = sqlite3.connect(tmp_path / "old.db")
    old.execute("CREATE TABLE kept (x)")  # 4 KiB pages, as every database before
    old.close()
    for name, size in (("new.db", 8192), ("old.db", 4096)):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS kept (x)")
            assert conn.exec_driver_sql("PRAGMA page_size").scalar() == size
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        engine.dispose()


def test_the_newest_revision_is_alembics_head():
    """`upgrade` skips Alembic when the schema is stamped with the newest file's revision."""
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [newest_revision()]
