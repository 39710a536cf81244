"""Migration 0031 (data_change.period) undone: a payroll row named by its key would read, to
the code before it, as a changed worker; it becomes a change of everything instead."""

from sqlalchemy import text

from service.db import make_engine
from tests.service.migration_steps import downgrade, upgrade

MARK = (
    "INSERT INTO data_change (version, employer_id, worker_id, period) "
    "VALUES (2, :employer, :worker, :period)"
)


def test_payroll_rows_named_become_a_change_of_everything_when_undone(empty_db_url):
    engine = make_engine(empty_db_url)
    upgrade(engine, "0031")
    with engine.begin() as conn:
        conn.execute(text(MARK), {"employer": 5, "worker": 9, "period": "2026-10"})
        conn.execute(text(MARK), {"employer": 6, "worker": None, "period": None})
    downgrade(engine, "0030")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT employer_id, project_id, worker_id FROM data_change ORDER BY id")
        ).all()
    assert [tuple(row) for row in rows] == [(None, None, None), (6, None, None)]
    engine.dispose()
