"""Incremental runs: after some employers' data changed, a run on the latest whole-city run's
basis evaluates only the employers the changes reach, and leaves the alerts and tiers exactly
as a run evaluating everyone would."""

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from service.complaints.form import ComplaintForm
from service.complaints.service import file_complaint
from service.db import session_scope
from service.flows.monitor_runs import check_employer, run_monitors
from service.imports.service import run_import
from tests.conftest import Seed
from tests.factories import build_demo_city, demo_files
from tests.service.monitoring.test_check_employer import alert_table
from tests.service.monitoring.test_shards import stored_tiers, tier_rows
from tests.service.risk.test_history import assert_stored_is_latest

AS_OF = date(2026, 11, 30)
pytestmark = pytest.mark.usefixtures("database_seed")  # every test starts from the demo city


@pytest.fixture(scope="module")
def database_seed() -> Seed:
    """Each test's database is a copy of one demo city per database: the demo imported, its
    complaints filed, and a whole-city run as of the demo day."""
    return Seed("demo-city-run", build_demo_city)


def demo_city() -> Path:
    """The demo's files (those the seed imported), to change rows of."""
    return demo_files().out_dir


def read(demo: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(demo / f"{name}.csv", dtype=str, keep_default_na=False)


def changed_files(demo: Path, rng: random.Random) -> dict[str, pd.DataFrame]:
    """Rows of the demo's files changed as re-imports change them: some employers' payroll
    re-filed, a few rows anywhere, contracts moved between projects or ended, a project
    handed to another contractor, workers' home counties corrected, cover ended, a deposit
    drawn, an employer's premises and county corrected."""
    files: dict[str, pd.DataFrame] = {}
    payroll = read(demo, "payroll")
    refiled = rng.sample(sorted(payroll["employer_uscc"].unique()), 3)
    mine = payroll[payroll["employer_uscc"].isin(refiled)].sample(
        frac=0.5, random_state=rng.randrange(99)
    )
    anywhere = payroll.sample(n=25, random_state=rng.randrange(99))
    changed = pd.concat([mine, anywhere]).drop_duplicates()
    changed["amount_paid"] = rng.choice(["0", "100.00"])
    files["payroll"] = changed

    contracts = read(demo, "contracts")
    projects = read(demo, "projects")
    on_projects = contracts[contracts["project_code"] != ""].sample(
        n=4, random_state=rng.randrange(99)
    )
    codes = sorted(projects["project_code"])
    on_projects["project_code"] = [rng.choice(codes) for _ in range(len(on_projects))]
    started = contracts[(contracts["start_date"] < "2026-09-01") & (contracts["left_date"] == "")]
    ended = started.sample(n=3, random_state=rng.randrange(99))
    ended["left_date"] = "2026-10-15"
    files["contracts"] = pd.concat([on_projects, ended]).drop_duplicates(
        ["employer_uscc", "worker_id_number", "start_date"], keep="last"
    )

    employers = read(demo, "employers")
    handed = projects.sample(n=1, random_state=rng.randrange(99))
    handed["contractor_uscc"] = rng.choice(sorted(employers["uscc"]))
    files["projects"] = handed

    workers = read(demo, "workers").sample(n=4, random_state=rng.randrange(99))
    workers["hukou_county_code"] = rng.choice(["330302", "511321"])
    files["workers"] = workers

    insurance = read(demo, "insurance").sample(n=5, random_state=rng.randrange(99))
    insurance["end_date"] = insurance["start_date"].where(
        insurance["start_date"] > "2026-06-30", "2026-06-30"
    )
    files["insurance"] = insurance

    deposits = read(demo, "deposit_events")
    drawn = deposits[deposits["event"] == "deposit"].sample(n=1, random_state=rng.randrange(99))
    drawn = drawn.assign(event="drawdown", date="2026-11-02", reference="DRAW-1", expiry_date="")
    files["deposit_events"] = drawn

    moved = employers.sample(n=2, random_state=rng.randrange(99))
    moved["leased_premises"] = moved["leased_premises"].map({"true": "false", "false": "true"})
    moved.iloc[0, moved.columns.get_loc("county_code")] = "330381"
    moved.iloc[0, moved.columns.get_loc("town")] = ""
    files["employers"] = moved
    return files


def import_changes(engine, folder: Path, files: dict[str, pd.DataFrame], reference) -> None:
    folder.mkdir(parents=True)
    for name, frame in files.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    report = run_import(engine, folder, reference)
    assert report.ok, report.problems.head(10).to_string()


def file_a_complaint(engine, reference, rng: random.Random) -> None:
    with engine.connect() as conn:
        employer_id, county, town = conn.execute(
            text("SELECT id, county_code, town FROM employer WHERE town IS NOT NULL ORDER BY id")
        ).all()[rng.randrange(100)]
    form = ComplaintForm(
        employer_id=employer_id,
        county_code=county,
        town=town,
        description="老板拖欠工资，多次催要仍未支付。",
        period_from="2026-08",
        period_to="2026-10",
        amount_owed="3000",
        workers_affected="2",
        phone="13800001234",
        worker_name="",
    )
    received_at = datetime(2026, 11, 29, 2, tzinfo=UTC)
    with session_scope(engine) as session:
        file_complaint(session, form=form, received_at=received_at, reference=reference)


def assert_evaluating_everyone_changes_nothing(engine, reference, as_of: date) -> None:
    alerts, tiers, rows = alert_table(engine), stored_tiers(engine), tier_rows(engine)
    findings = _latest_findings(engine)
    everyone = run_monitors(engine, reference, as_of=as_of, reuse=False)
    assert everyone.evaluated is None
    assert everyone.changes.counts() == dict.fromkeys(everyone.changes.counts(), 0), f"{as_of}"
    assert alert_table(engine).equals(alerts)
    assert stored_tiers(engine).equals(tiers) and tier_rows(engine) == rows
    assert everyone.findings == findings  # the incremental run counted the city's findings
    assert_stored_is_latest(engine)


def _latest_findings(engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT findings FROM monitor_run ORDER BY id DESC LIMIT 1")).scalar()
        )


def employer_count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM employer")).scalar_one())


def test_runs_after_changes_give_what_evaluating_everyone_gives(engine, tmp_path, reference):
    demo = demo_city()
    rng = random.Random(14)
    moved = 0
    for round_ in range(3):  # each run builds on the one before
        files = changed_files(demo, rng)
        import_changes(engine, tmp_path / f"changes-{round_}", files, reference)
        file_a_complaint(engine, reference, rng)
        summary = run_monitors(engine, reference, as_of=AS_OF)
        assert summary.evaluated is not None and 0 < summary.evaluated < employer_count(engine)
        moved += sum(summary.changes.counts().values())
    assert moved > 0  # the changes moved alerts
    assert_evaluating_everyone_changes_nothing(engine, reference, AS_OF)

    # A later day with no data change: deadlines pass with time, so everyone is evaluated.
    later = AS_OF + timedelta(days=45)
    before = alert_table(engine)
    assert run_monitors(engine, reference, as_of=later).evaluated is None
    assert not alert_table(engine).equals(before)
    import_changes(engine, tmp_path / "later", changed_files(demo, rng), reference)
    assert run_monitors(engine, reference, as_of=later).evaluated is not None
    assert_evaluating_everyone_changes_nothing(engine, reference, later)


def test_an_employers_refiled_payroll_touches_only_the_employers_it_reaches(
    engine, tmp_path, reference
):
    demo = demo_city()
    payroll = read(demo, "payroll")
    projects = read(demo, "projects")
    # An employer on no project: its changes reach itself only.
    alone = sorted(set(payroll["employer_uscc"]) - set(projects["contractor_uscc"]))[0]
    refiled = payroll[payroll["employer_uscc"] == alone].assign(amount_paid="0")
    before = alert_table(engine)
    import_changes(engine, tmp_path / "refiled", {"payroll": refiled}, reference)
    summary = run_monitors(engine, reference, as_of=AS_OF)
    assert summary.evaluated == 1 and summary.changes.opened > 0
    with engine.connect() as conn:
        employer_id = conn.execute(
            text("SELECT id FROM employer WHERE uscc = :u"), {"u": alone}
        ).scalar_one()
    after = alert_table(engine)
    assert (
        after[after["employer_id"] != employer_id]
        .reset_index(drop=True)
        .equals(before[before["employer_id"] != employer_id].reset_index(drop=True))
    )
    # The changes seen stay for the kept frames (test_kept_frames), until a whole run.
    assert data_changes(engine)
    assert_evaluating_everyone_changes_nothing(engine, reference, AS_OF)
    assert data_changes(engine) == []


def data_changes(engine) -> list[tuple]:
    """The change marks no whole run has forgotten yet."""
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text("SELECT employer_id, project_id, worker_id, period FROM data_change")
            )
        ]


def test_a_contract_moved_to_another_project_reaches_both_projects(engine, tmp_path, reference):
    demo = demo_city()
    contracts = read(demo, "contracts")
    projects = read(demo, "projects")
    moved = contracts[contracts["project_code"] != ""].head(1)
    old = moved["project_code"].iloc[0]
    new = next(code for code in sorted(projects["project_code"]) if code != old)
    import_changes(
        engine, tmp_path / "moved", {"contracts": moved.assign(project_code=new)}, reference
    )
    with engine.connect() as conn:
        marked = set(
            conn.execute(
                text(
                    "SELECT p.project_code FROM data_change d JOIN project p ON p.id = d.project_id"
                )
            ).scalars()
        )
    assert marked == {old, new}
    assert run_monitors(engine, reference, as_of=AS_OF).evaluated is not None
    assert_evaluating_everyone_changes_nothing(engine, reference, AS_OF)


def test_a_run_after_a_check_on_another_day_or_a_committee_change_evaluates_everyone(
    engine, tmp_path, reference
):
    demo = demo_city()
    file_a_complaint(engine, reference, random.Random(1))
    check_employer(engine, reference, employer_id=1, as_of=AS_OF + timedelta(days=3))
    assert run_monitors(engine, reference, as_of=AS_OF).evaluated is None  # check's day undone

    committees = read(demo, "mediation_committees").head(1).assign(contact_email="new@example.org")
    import_changes(engine, tmp_path / "committee", {"mediation_committees": committees}, reference)
    assert run_monitors(engine, reference, as_of=AS_OF).evaluated is None

    file_a_complaint(engine, reference, random.Random(2))
    check_employer(engine, reference, employer_id=1, as_of=AS_OF)  # same day: nothing undone
    assert run_monitors(engine, reference, as_of=AS_OF).evaluated is not None
