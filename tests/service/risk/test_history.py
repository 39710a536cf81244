"""Risk tiers stored by the monitors run, on both databases: one row per change, history kept."""

from datetime import date

from sqlalchemy import text

from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from tests.factories import write_folder

AS_OF = date(2026, 11, 30)


def tier_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT employer_id, run_id, as_of, tier FROM employer_risk_tier ORDER BY id")
        ).all()


def test_each_run_scores_every_employer_and_keeps_the_history(engine, tmp_path, reference):
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    first = run_monitors(engine, reference, as_of=AS_OF)
    with engine.connect() as conn:
        employers = conn.execute(text("SELECT count(*) FROM employer")).scalar_one()
    after_first = tier_rows(engine)
    assert len(after_first) == employers
    assert {run for _, run, _, _ in after_first} == {first.run_id}
    assert {tier for *_, tier in after_first} - {"green"}, "the test data has alerts"

    again = run_monitors(engine, reference, as_of=AS_OF)  # nothing changed: nothing stored
    assert again.reused and tier_rows(engine) == after_first

    later = run_monitors(engine, reference, as_of=date(2027, 1, 31))
    rows = tier_rows(engine)
    assert rows[: len(after_first)] == after_first  # history kept
    changed = rows[len(after_first) :]
    assert changed and {run for _, run, _, _ in changed} == {later.run_id}
