"""Checking one employer now ("check again"): the same alerts as a whole-city run, touching
no other employer's alerts."""

import random
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import text

from service import data_version
from service.flows.monitor_runs import check_employer, run_monitors
from tests.conftest import Seed
from tests.factories import build_demo_city
from tests.service.risk.test_history import assert_stored_is_latest

AS_OF = date(2026, 11, 30)
COLUMNS = ["rule", "employer_id", "project_code", "period", "status", "severity", "amount_fen"]


def alert_table(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM alert")).all()
    frame = pd.DataFrame(rows, columns=COLUMNS).fillna({"project_code": "", "period": ""})
    return frame.sort_values(COLUMNS[:4]).reset_index(drop=True)


def sample_of_employers(engine, rng: random.Random) -> list[int]:
    """Employers of every kind: the most alerted, general contractors and subcontractors on
    shared projects, and some at random."""
    with engine.connect() as conn:
        alerted = conn.execute(
            text("SELECT employer_id FROM alert GROUP BY employer_id ORDER BY count(*) DESC")
        ).scalars()
        shared = conn.execute(
            text(
                "SELECT DISTINCT c.employer_id FROM employment_contract c "
                "JOIN project p ON p.id = c.project_id WHERE p.contractor_id <> c.employer_id "
                "UNION SELECT DISTINCT p.contractor_id FROM project p "
                "JOIN employment_contract c ON c.project_id = p.id "
                "WHERE p.contractor_id <> c.employer_id"
            )
        ).scalars()
        everyone = list(conn.execute(text("SELECT id FROM employer ORDER BY id")).scalars())
    shared_ids = sorted(shared)
    chosen = list(alerted)[:4] + rng.sample(shared_ids, min(4, len(shared_ids)))
    chosen += rng.sample(everyone, 4)
    return sorted(set(chosen))


def change_their_records(engine, employers: list[int], rng: random.Random) -> None:
    """Unpay some wages, pay others, drop a contract: what an employer's own upload does."""
    with engine.begin() as conn:
        for employer_id in employers:
            rows = conn.execute(
                text(
                    "SELECT worker_id, period FROM payroll_entry WHERE employer_id = :e "
                    "ORDER BY worker_id, period"
                ),
                {"e": employer_id},
            ).all()
            for worker_id, period in rng.sample(rows, min(3, len(rows))):
                conn.execute(
                    text(
                        "UPDATE payroll_entry SET amount_paid_fen = 0 WHERE employer_id = :e "
                        "AND worker_id = :w AND period = :p"
                    ),
                    {"e": employer_id, "w": worker_id, "p": period},
                )
        conn.execute(
            text(
                "UPDATE payroll_entry SET amount_paid_fen = amount_due_fen, "
                "paid_date = :day WHERE employer_id = :e"
            ),
            {"e": employers[0], "day": AS_OF - timedelta(days=3)},
        )
        data_version.bump(conn)


@pytest.fixture(scope="module")
def database_seed() -> Seed:
    """The demo city, its complaints filed, after a whole-city run as of the demo day."""
    return Seed("demo-city-run", build_demo_city)


@pytest.mark.usefixtures("database_seed")
def test_checking_employers_gives_what_a_whole_city_run_would(engine, reference):
    rng = random.Random(14)
    employers = sample_of_employers(engine, rng)
    change_their_records(engine, employers, rng)
    later = AS_OF + timedelta(days=45)  # deadlines pass without any data change too
    for as_of in (AS_OF, later):
        before = alert_table(engine)
        for employer_id in employers:
            check_employer(engine, reference, employer_id=employer_id, as_of=as_of)
        checked = alert_table(engine)
        assert_stored_is_latest(engine)  # the checked employers' current tiers moved with them
        others = ~checked["employer_id"].isin(employers)
        # Nobody else's alerts moved.
        untouched = before[~before["employer_id"].isin(employers)]
        assert checked[others].reset_index(drop=True).equals(untouched.reset_index(drop=True))
        run_monitors(engine, reference, as_of=as_of)
        full = alert_table(engine)
        mine = full["employer_id"].isin(employers)
        assert full[mine].reset_index(drop=True).equals(checked[~others].reset_index(drop=True)), (
            f"as of {as_of}"
        )
    assert (checked["status"] == "open").any()
