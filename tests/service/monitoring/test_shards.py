"""County shards: every county's shard together gives what a whole-city run gives, a shard
touches only its county's alerts and tiers, and the locks keep runs of the same alerts apart.

The rules' keys, and why a shard gets each right: every rule's alert is keyed by employer
(with a project and a period for some). Project rules (deposits, insurance) key the alert
by the project's contractor and read the project's other employers through the contractor's
share; complaint rules (mediation.overdue, complaints.cluster) count complaints per employer
(complaint.employer_id), not per county; mediation.committee_missing and institution.missing
count an employer's own workers against its own committee, office and liaison (all the
committees are read). No rule is keyed by county or committee."""

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from service import data_version
from service.alerts.service import get_run
from service.auth.service import create_user
from service.db import session_scope
from service.flows.monitor_runs import check_employer, run_monitors, run_shard
from service.flows.monitor_shards import every_county
from service.imports.service import run_import
from service.monitoring.lock import NOTIFY_KEY, RunInProgress, monitor_lock, shard_lock
from service.notifications.models import OutboxMessage
from tests.conftest import Seed
from tests.factories import (
    STRONG_PASSWORD,
    build_demo_city,
    build_demo_with_complaints,
    vacuum_counts,
    write_folder,
)
from tests.service.monitoring.test_check_employer import (
    alert_table,
    change_their_records,
    sample_of_employers,
)
from tests.service.risk.test_history import assert_stored_is_latest
from tests.service.test_cli import wageguard

AS_OF = date(2026, 11, 30)


def counties_of_employers(engine) -> pd.Series:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, county_code FROM employer")).all()
    return pd.Series({int(i): str(code) for i, code in rows})


def stored_tiers(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, risk_tier, risk_rank FROM employer ORDER BY id")).all()
    return pd.DataFrame(rows, columns=["id", "risk_tier", "risk_rank"])


def tier_rows(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM employer_risk_tier")).scalar_one())


@pytest.fixture(scope="module")
def database_seed() -> Seed:
    return Seed("demo-with-complaints", build_demo_with_complaints)


def after_a_whole_city_run(test: Callable) -> Callable:
    """A test that starts from the alerts of a whole-city run as of the demo day gets a copy of
    the city after that run (the seed of the incremental runs' tests), not a run of its own."""
    seed = pytest.mark.parametrize(
        "database_seed", [Seed("demo-city-run", build_demo_city)], ids=["after-a-run"]
    )
    return pytest.mark.usefixtures("database_seed")(seed(test))


def span_counties(engine, rng: random.Random) -> None:
    """Shares that cross county lines (the demo has none): some projects hand half their
    workers, with their payroll and personal cover, to a subcontractor of another county (the
    contractor's project-wide policy stays); some complaints are filed in another county."""
    with engine.begin() as conn:
        projects = conn.execute(
            text(
                "SELECT p.id, p.contractor_id, e.county_code FROM project p "
                "JOIN employer e ON e.id = p.contractor_id ORDER BY p.id"
            )
        ).all()
        employers = conn.execute(text("SELECT id, county_code FROM employer ORDER BY id")).all()
        for project_id, contractor_id, county in rng.sample(projects, min(12, len(projects))):
            subcontractor = rng.choice([e for e, code in employers if code != county])
            workers = list(
                conn.execute(
                    text(
                        "SELECT worker_id FROM employment_contract WHERE project_id = :p "
                        "AND employer_id = :c AND worker_id NOT IN (SELECT worker_id FROM "
                        "employment_contract WHERE employer_id = :s) ORDER BY worker_id"
                    ),
                    {"p": project_id, "c": contractor_id, "s": subcontractor},
                ).scalars()
            )
            for table in ("employment_contract", "payroll_entry", "insurance_coverage"):
                conn.execute(
                    text(
                        f"UPDATE {table} SET employer_id = :s "
                        "WHERE employer_id = :c AND worker_id IN :w"
                    ).bindparams(bindparam("w", expanding=True)),
                    {"s": subcontractor, "c": contractor_id, "w": workers[::2]},
                )
        conn.execute(
            text("UPDATE complaint SET county_code = :code WHERE id % 5 = 0"),
            {"code": employers[0][1]},
        )
        data_version.bump(conn)


def run_every_shard(engine, reference, as_of: date, shards: int = 3) -> None:
    """Every county in one of `shards` shards of several counties each (the command-line test
    below runs a shard per county)."""
    counties = every_county(engine)
    for first in range(shards):
        run_shard(engine, reference, counties=counties[first::shards], as_of=as_of)


def assert_whole_city_run_changes_nothing(engine, reference, as_of: date) -> None:
    """The shards left the alerts and tiers as a whole-city run would have them."""
    alerts, tiers, rows = alert_table(engine), stored_tiers(engine), tier_rows(engine)
    whole = run_monitors(engine, reference, as_of=as_of)
    assert whole.changes.counts() == dict.fromkeys(whole.changes.counts(), 0), f"as of {as_of}"
    assert alert_table(engine).equals(alerts)
    assert stored_tiers(engine).equals(tiers) and tier_rows(engine) == rows  # no tier moved
    assert_stored_is_latest(engine)


@after_a_whole_city_run
def test_every_county_shard_gives_what_a_whole_city_run_gives(engine, reference):
    """From the alerts of a whole-city run; the command-line test below starts every shard
    from no alerts at all, on the same city."""
    span_counties(engine, random.Random(5))
    assert len(every_county(engine)) > 1
    change_their_records(engine, sample_of_employers(engine, random.Random(5)), random.Random(5))
    later = AS_OF + timedelta(days=45)  # deadlines pass without any data change too
    for as_of in (AS_OF, later):
        run_every_shard(engine, reference, as_of)
        assert_whole_city_run_changes_nothing(engine, reference, as_of)


@after_a_whole_city_run
def test_a_shard_run_touches_no_other_countys_alerts(engine, reference):
    county_of = counties_of_employers(engine)
    everyone = sorted(county_of.index)
    span_counties(engine, random.Random(3))
    change_their_records(engine, everyone[::7], random.Random(3))  # in every county
    later = AS_OF + timedelta(days=45)
    before, tiers_before = alert_table(engine), stored_tiers(engine)
    county = every_county(engine)[0]
    shard = run_shard(engine, reference, counties=[county], as_of=later)
    assert shard.changes.opened + shard.changes.resolved > 0
    with session_scope(engine) as session:  # the run says what it covered
        recorded = get_run(session=session, run_id=shard.run_id)
    assert recorded.counties == [county] and not recorded.incremental
    assert recorded.employers_evaluated == int((county_of == county).sum())
    after, tiers_after = alert_table(engine), stored_tiers(engine)
    others = before["employer_id"].map(county_of) != county
    assert (
        after[after["employer_id"].map(county_of) != county]
        .reset_index(drop=True)
        .equals(before[others].reset_index(drop=True))
    )
    elsewhere = tiers_before["id"].map(county_of) != county
    assert tiers_after[elsewhere].equals(tiers_before[elsewhere])
    assert not tiers_after[~elsewhere].equals(tiers_before[~elsewhere])  # its own tiers moved


def test_two_runs_of_one_shard_cannot_overlap_but_two_shards_can(engine):
    with shard_lock(engine, ["330302"]):
        with pytest.raises(RunInProgress), shard_lock(engine, ["330302"]):
            pass
        with pytest.raises(RunInProgress), shard_lock(engine, ["330303", "330302"]):
            pass
        # 330303 was released by the refused run above
        with shard_lock(engine, ["330303"]), shard_lock(engine, ["330304", "330305"]):
            pass


def test_a_whole_city_run_cannot_overlap_a_shard_run(engine, reference):
    with shard_lock(engine, ["330302"]), pytest.raises(RunInProgress):
        run_monitors(engine, reference, as_of=AS_OF)
    with monitor_lock(engine), pytest.raises(RunInProgress):
        run_shard(engine, reference, counties=["330304"], as_of=AS_OF)
    with monitor_lock(engine):  # nothing is left held by the refused runs
        pass


def test_checking_an_employer_waits_only_for_its_own_countys_shard(engine, tmp_path, reference):
    assert run_import(engine, write_folder(tmp_path / "in"), reference).ok
    county_of = counties_of_employers(engine).sort_index()
    employer_id, county = int(county_of.index[0]), county_of.iloc[0]
    elsewhere = "330399" if county != "330399" else "330398"
    with shard_lock(engine, [elsewhere]):
        check_employer(engine, reference, employer_id=employer_id, as_of=AS_OF)
    with shard_lock(engine, [county]), pytest.raises(RunInProgress):
        check_employer(engine, reference, employer_id=employer_id, as_of=AS_OF)


def waiting_advisory_locks(engine) -> int:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return int(conn.execute(text(query)).scalar_one())


@pytest.mark.usefixtures("database_seed")  # the demo city, with its complaints
def test_shards_side_by_side_both_reach_the_city_inspectors_digest(engine, tmp_path, reference):
    with session_scope(engine) as session:
        create_user(
            session=session, actor=None, username="insp", password=STRONG_PASSWORD,
            role="inspector", display_name="监察员", email="insp@example.cn", scopes=["330300"],
        )  # fmt: skip
    counties = every_county(engine)[:2]
    with ThreadPoolExecutor(2) as pool, ExitStack() as held:
        if engine.dialect.name == "postgresql":
            # Both shards reach their e-mails while the test holds the turn: neither may queue
            # its digest entries until the other's are committed.
            conn = held.enter_context(engine.connect())
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": NOTIFY_KEY})
        runs = [
            pool.submit(run_shard, engine, reference, counties=[county], as_of=AS_OF)
            for county in counties
        ]
        if engine.dialect.name == "postgresql":
            deadline = time.monotonic() + 60
            while waiting_advisory_locks(engine) < 2:
                assert time.monotonic() < deadline, "the shards did not wait for their turn"
                time.sleep(0.1)
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": NOTIFY_KEY})
        assert all(run.result().changes.opened for run in runs)
    with engine.connect() as conn:
        digested = set(
            conn.execute(
                text(
                    "SELECT e.county_code FROM alert a JOIN employer e ON e.id = a.employer_id "
                    "WHERE a.id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": sorted(digest_alert_ids(engine))},
            ).scalars()
        )
    assert digested == set(counties)


def digest_alert_ids(engine) -> set[int]:
    with Session(engine) as session:
        [digest] = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "alert_digest")
        ).all()
        return set(digest.alert_ids or ())


@pytest.mark.usefixtures("database_seed")  # the demo city, with its complaints
def test_the_command_line_runs_every_countys_shard_in_parallel_processes(
    db_url, tmp_path, engine, reference
):
    span_counties(engine, random.Random(5))  # the city the test above runs its shards on
    assert len(every_county(engine)) > 1
    result = wageguard(
        "monitors", "run", "--as-of", "2026-11-30", "--shards", "--processes", "2",
        database_url=db_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        f"county {county}" for county in every_county(engine)
    ]
    if engine.dialect.name == "postgresql":  # what the shards rewrote, vacuumed once after all
        assert vacuum_counts(engine)["alert"] == 1
    # From no alerts at all, every county's shard gave what a whole-city run gives.
    assert_whole_city_run_changes_nothing(engine, reference, AS_OF)
    assert alert_table(engine)["rule"].str.startswith(("complaints.", "mediation.")).any()
    two = wageguard(
        "monitors", "run", "--as-of", "2026-11-30", "--county", "330302", "--county", "330303",
        database_url=db_url,
    )  # fmt: skip
    assert two.returncode == 0 and two.stdout.count("county 3303") == 2, two.stderr
    unknown = wageguard("monitors", "run", "--county", "999999", database_url=db_url)
    assert unknown.returncode == 2 and "no county with code 999999" in unknown.stderr
