"""Monitor runs against real databases: the alert lifecycle, atomicity, the lock, and the
demo data set end to end."""

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import event, text

from monitors.reference import load_reference
from monitors.registry import all_rules
from service.alerts import lifecycle
from service.alerts.export import open_alerts
from service.db import ANALYSIS_CACHE_KIB, make_engine, reclaim_and_refresh
from service.flows.monitor_runs import RUN_CACHE_KIB, RUN_WRITES, run_monitors
from service.imports.service import run_import
from service.monitoring.lock import RunInProgress, monitor_lock
from tests.conftest import Seed
from tests.factories import (
    EMPLOYER_B,
    WORKER_2,
    analysed_tables,
    demo_files,
    vacuum_counts,
    valid_files,
    write_folder,
)

AS_OF = date(2026, 11, 30)


def import_valid_files(engine, folder, reference) -> None:
    assert run_import(engine, write_folder(folder), reference).ok


@pytest.fixture(scope="module")
def database_seed() -> Seed:
    """For the tests that use it: the valid import (tests/factories.py), no run yet."""
    return Seed("valid-files-imported", import_valid_files)


def alerts(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, rule, project_code, period, status, amount_fen FROM alert")
        ).all()
    return pd.DataFrame(
        rows, columns=["id", "rule", "project_code", "period", "status", "amount_fen"]
    )


def events(engine, alert_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT kind FROM alert_event WHERE alert_id = :a ORDER BY id"),
                {"a": alert_id},
            ).scalars()
        )


def unpaid_alert(engine) -> pd.Series:
    frame = alerts(engine)
    return frame[frame["rule"] == "wages.unpaid"].iloc[0]


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_running_twice_on_the_same_data_changes_nothing(engine, reference):
    first = run_monitors(engine, reference, as_of=AS_OF)
    before = alerts(engine)
    second = run_monitors(engine, reference, as_of=AS_OF)
    assert first.changes.opened == len(before) > 0
    assert (second.changes.opened, second.changes.updated, second.changes.resolved) == (0, 0, 0)
    assert alerts(engine).equals(before)


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_fixed_data_resolves_the_alert_and_broken_data_reopens_it(engine, tmp_path, reference):
    files = valid_files()  # those the seed imported
    run_monitors(engine, reference, as_of=AS_OF)
    opened = unpaid_alert(engine)
    assert (opened.status, opened.period, opened.amount_fen) == ("open", "2026-02", 340000)

    files["payroll"][1]["amount_paid"] = "6800"  # the arrears are paid
    assert run_import(engine, write_folder(tmp_path / "b", files), reference).ok
    run_monitors(engine, reference, as_of=date(2026, 12, 1))
    assert unpaid_alert(engine).status == "resolved"

    files["payroll"][1]["amount_paid"] = "1000"  # and the correction is reversed
    assert run_import(engine, write_folder(tmp_path / "c", files), reference).ok
    run_monitors(engine, reference, as_of=date(2026, 12, 2))
    reopened = unpaid_alert(engine)
    assert (reopened.id, reopened.status, reopened.amount_fen) == (opened.id, "open", 580000)
    assert events(engine, int(opened.id)) == ["opened", "resolved", "reopened"]


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_changed_figures_update_the_open_alert_with_an_event(engine, tmp_path, reference):
    files = valid_files()  # those the seed imported
    run_monitors(engine, reference, as_of=AS_OF)
    files["payroll"][1]["amount_paid"] = "5000"
    assert run_import(engine, write_folder(tmp_path / "b", files), reference).ok
    run_monitors(engine, reference, as_of=AS_OF)
    alert = unpaid_alert(engine)
    assert (alert.status, alert.amount_fen) == ("open", 180000)
    assert events(engine, int(alert.id)) == ["opened", "updated"]


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_the_monitors_never_overwrite_an_inspectors_handling(engine, reference):
    run_monitors(engine, reference, as_of=AS_OF)
    alert_id = int(unpaid_alert(engine).id)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE alert SET handling = 'acknowledged', handling_note = 'seen' WHERE id = :a"
            ),
            {"a": alert_id},
        )
    run_monitors(engine, reference, as_of=date(2026, 12, 5))
    with engine.connect() as conn:
        handling = conn.execute(
            text("SELECT handling, handling_note FROM alert WHERE id = :a"), {"a": alert_id}
        ).one()
    assert tuple(handling) == ("acknowledged", "seen")


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_a_run_that_fails_midway_leaves_the_previous_state(
    engine, tmp_path, reference, monkeypatch
):
    files = valid_files()  # those the seed imported
    run_monitors(engine, reference, as_of=AS_OF)
    before = alerts(engine)
    files["payroll"][1]["amount_paid"] = "6800"
    assert run_import(engine, write_folder(tmp_path / "b", files), reference).ok

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(lifecycle, "_resolve", crash)
    with pytest.raises(RuntimeError):
        run_monitors(engine, reference, as_of=date(2026, 12, 1))
    assert alerts(engine).equals(before)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM monitor_run")).scalar_one() == 1


def test_two_runs_never_overlap(engine, reference):
    with monitor_lock(engine), pytest.raises(RunInProgress):
        run_monitors(engine, reference, as_of=AS_OF)
    run_monitors(engine, reference, as_of=AS_OF)  # free again afterwards


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_export_carries_the_contract_fields(engine, reference):
    run_monitors(engine, reference, as_of=AS_OF)
    exported = open_alerts(engine, reference)
    unpaid = exported[exported["rule"] == "wages.unpaid"].iloc[0]
    assert unpaid.employer_uscc == EMPLOYER_B
    assert (unpaid.period, unpaid.amount, unpaid.subject_count) == ("2026-02", "3400.00", 1)
    assert unpaid.first_seen == "2026-11-30"
    assert "第五十条" in unpaid.legal_basis
    assert unpaid.evidence["workers"] == [WORKER_2[:6] + "********" + WORKER_2[-4:]]


def test_the_demo_data_set_raises_exactly_the_planted_alerts(engine, reference):
    manifest = demo_files()
    assert run_import(engine, manifest.out_dir, reference).ok
    run_monitors(engine, reference, as_of=AS_OF)
    found = open_alerts(engine, reference)[["rule", "employer_uscc", "project_code", "period"]]
    expected = manifest.expected_alerts.fillna("")
    as_keys = lambda frame: set(map(tuple, frame.astype(str).values.tolist()))  # noqa: E731
    assert as_keys(found) == as_keys(expected)
    assert set(found["rule"]) == set(all_rules()) - {"mediation.overdue", "complaints.cluster"}


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_a_later_day_on_the_same_data_keeps_one_alert_per_key(engine, reference):
    run_monitors(engine, reference, as_of=date(2026, 11, 27))
    before = alerts(engine)
    # No deadline falls between the two days (the next wages are due on 2026-12-01).
    later = run_monitors(engine, reference, as_of=AS_OF)
    assert not later.reused
    assert (later.changes.opened, later.changes.resolved) == (0, 0)
    assert alerts(engine)[["id", "rule", "status"]].equals(before[["id", "rule", "status"]])


def seen_days(engine) -> tuple[pd.DataFrame, int]:
    """Every alert column the monitors write, its last-seen day as text; the event count."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, status, severity, subject_count, amount_fen, evidence, "
                "legal_basis_zh, legal_basis_en, first_seen, last_seen FROM alert ORDER BY id"
            )
        ).all()
        events = conn.execute(text("SELECT count(*) FROM alert_event")).scalar_one()
    frame = pd.DataFrame(rows, columns=list(rows[0]._fields)).astype({"last_seen": str})
    return frame.astype({"first_seen": str, "evidence": str}), int(events)


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_alerts_seen_again_on_a_later_day_move_only_their_last_seen_day(
    engine, reference, monkeypatch
):
    """A whole run on a new day sees most open alerts again unchanged: only their last-seen
    day moves (a list of ids per statement; here two, so that there are several), and no
    event is written."""
    monkeypatch.setattr(lifecycle, "SEEN_PER_STATEMENT", 2)
    run_monitors(engine, reference, as_of=date(2026, 11, 27))
    before, events_before = seen_days(engine)
    assert set(before.loc[before["status"] == "open", "last_seen"]) == {"2026-11-27"}
    later = run_monitors(engine, reference, as_of=AS_OF)
    after, events_after = seen_days(engine)
    assert later.changes.counts() == dict.fromkeys(later.changes.counts(), 0)
    assert (after["status"] == "open").sum() > 2 and events_after == events_before
    assert set(after.loc[after["status"] == "open", "last_seen"]) == {AS_OF.isoformat()}
    pd.testing.assert_frame_equal(after.drop(columns="last_seen"), before.drop(columns="last_seen"))


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_an_alert_is_written_again_only_when_its_evidence_or_figures_changed(engine, reference):
    """Evidence is compared as data on both databases (SQLite gives a JSON column to a query
    as text: every alert used to read as changed and was written again each run)."""
    run_monitors(engine, reference, as_of=date(2026, 11, 27))
    before, _ = seen_days(engine)
    rewritten: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE alert SET severity"):
            rewritten.append(len(parameters) if executemany else 1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        run_monitors(engine, reference, as_of=AS_OF)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    after, _ = seen_days(engine)
    columns = ["severity", "subject_count", "amount_fen", "evidence", "legal_basis_zh"]
    changed = (after[columns] != before[columns]).any(axis=1).sum()
    assert len(after) > 2 and sum(rewritten) == changed < len(after)


@pytest.mark.usefixtures("database_seed")  # the valid import
def test_a_second_run_without_data_change_reuses_the_findings(engine, tmp_path, reference):
    files = valid_files()  # those the seed imported
    first = run_monitors(engine, reference, as_of=AS_OF)
    again = run_monitors(engine, reference, as_of=AS_OF)
    assert (first.reused, again.reused, again.findings) == (False, True, first.findings)
    files["payroll"][1]["amount_paid"] = "6800"
    assert run_import(engine, write_folder(tmp_path / "b", files), reference).ok
    after_change = run_monitors(engine, reference, as_of=AS_OF)
    assert not after_change.reused and after_change.changes.resolved == 1


def test_the_tables_a_run_wrote_are_analysed_for_the_planner(engine, tmp_path, reference):
    """Autovacuum is off on some hosts: unanalysed, the alert table looked as the import left
    it (empty), and SQLite searched 50,000 employers' names to find 157 alerts."""
    assert run_import(engine, write_folder(tmp_path, valid_files()), reference).ok
    run_monitors(engine, reference, as_of=AS_OF)
    assert {"alert", "employer_risk_tier"} <= analysed_tables(engine)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite reuses freed pages
@pytest.mark.usefixtures("database_seed")  # the valid import
def test_on_postgresql_every_whole_run_vacuums_what_it_rewrote(engine, tmp_path, reference):
    """Autovacuum is off on some hosts: the alerts and tiers each run updated stayed as dead
    rows for good (59,040 in the employer table after eleven runs at L). A run evaluating
    some employers updates a few rows: the next whole run reclaims them."""
    files = valid_files()
    run_monitors(engine, reference, as_of=AS_OF)
    files["payroll"][1]["amount_paid"] = "6800"  # one alert resolved: an alert row updated
    assert run_import(engine, write_folder(tmp_path, files), reference).ok
    assert run_monitors(engine, reference, as_of=AS_OF).changes.resolved == 1  # incremental
    run_monitors(engine, reference, as_of=AS_OF, reuse=False)  # whole, as every night
    vacuums = vacuum_counts(engine)
    assert {table: vacuums[table] for table in RUN_WRITES} == dict.fromkeys(RUN_WRITES, 2)


def test_a_failed_table_is_logged_and_the_others_are_done_all_the_same(engine, caplog):
    done = []
    event.listen(engine, "after_cursor_execute", lambda *args: done.append(args[2]))
    reclaim_and_refresh(engine, ["no_such_table", "alert"])
    assert "no_such_table not vacuumed or analysed after a run" in caplog.text
    assert done[-1] in ('ANALYZE "alert"', 'VACUUM (ANALYZE) "alert"')


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL's is the server's
@pytest.mark.usefixtures("database_seed")  # the valid import
def test_a_run_writes_through_a_modest_page_cache_and_the_imports_cache_comes_back(db_url):
    """A run writes its alerts, tiers and e-mails once: the imports' 256 MB page cache would
    only hold them (a run that opened 62,000 alerts at L peaked 145 MB higher with it)."""
    engine = make_engine(db_url, pool_size=1)
    caches = []

    def look(conn, cursor, statement, *_):
        if statement.startswith(("INSERT INTO monitor_run", 'ANALYZE "alert"')):
            caches.append(cursor.connection.execute("PRAGMA cache_size").fetchone()[0])

    with engine.connect() as conn:
        imports_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    event.listen(engine, "before_cursor_execute", look)
    run_monitors(engine, load_reference(), as_of=AS_OF)
    # The writes, then the analysis after the commit (negative: KiB).
    assert caches == [-RUN_CACHE_KIB, -ANALYSIS_CACHE_KIB]
    assert -imports_cache > RUN_CACHE_KIB
    with engine.connect() as conn:  # the same pooled connection, as the next import gets it
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == imports_cache
    engine.dispose()
