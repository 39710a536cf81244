"""Risk tiers stored by the monitors run, on both databases: one row per change, history kept."""

from datetime import date

from sqlalchemy import text

from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from service.risk import service as risk
from service.risk.models import TIERS
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


def test_scoring_the_same_alerts_again_stores_nothing(engine, tmp_path, reference):
    # The new reasons are compared with the stored JSON text, as each database gives it back.
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    first = run_monitors(engine, reference, as_of=AS_OF)
    before = tier_rows(engine)
    with engine.begin() as conn:
        stored = risk.record_run(conn, run_id=first.run_id, as_of=AS_OF, reference=reference)
    assert stored == 0 and tier_rows(engine) == before


def stored_and_latest(engine) -> tuple[dict, dict]:
    """Each employer's stored current tier and rank, and the tier of its latest history row."""
    with engine.connect() as conn:
        stored = {
            e: (tier, rank)
            for e, tier, rank in conn.execute(text("SELECT id, risk_tier, risk_rank FROM employer"))
        }
        latest = dict(
            conn.execute(
                text(
                    "SELECT employer_id, tier FROM employer_risk_tier t WHERE id = "
                    "(SELECT max(id) FROM employer_risk_tier WHERE employer_id = t.employer_id)"
                )
            ).all()
        )
    return stored, latest


def assert_stored_is_latest(engine) -> None:
    stored, latest = stored_and_latest(engine)
    assert stored == {
        e: (latest.get(e), TIERS.index(latest[e]) if e in latest else len(TIERS)) for e in stored
    }


def test_the_stored_tier_is_the_latest_history_row_after_each_run(engine, tmp_path, reference):
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    assert {tier for tier, _ in stored_and_latest(engine)[0].values()} == {None}  # no run yet
    run_monitors(engine, reference, as_of=AS_OF)
    assert_stored_is_latest(engine)
    before = stored_and_latest(engine)[0]
    run_monitors(engine, reference, as_of=date(2027, 1, 31))  # some tiers change
    assert_stored_is_latest(engine)
    assert stored_and_latest(engine)[0] != before, "a tier changed"


def test_a_tier_change_of_one_employer_moves_its_stored_tier_only(engine, tmp_path, reference):
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    run = run_monitors(engine, reference, as_of=AS_OF)
    before, _ = stored_and_latest(engine)
    employer = min(before)
    new_tier = "red" if before[employer][0] != "red" else "green"
    with engine.begin() as conn:
        row = {"employer_id": employer, "run_id": run.run_id, "as_of": AS_OF, "tier": new_tier}
        risk.store(conn, [row | {"reasons": []}], run_id=run.run_id)
    assert_stored_is_latest(engine)
    after, _ = stored_and_latest(engine)
    assert after[employer] == (new_tier, TIERS.index(new_tier))
    assert {e: t for e, t in after.items() if e != employer} == {
        e: t for e, t in before.items() if e != employer
    }
