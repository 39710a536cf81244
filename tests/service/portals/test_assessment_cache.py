"""The county assessment's figures are computed once and then read from the database
(assessment_figures), until something they depend on changes: a repeated view (page, XLSX,
PDF, JSON) reads one row; a monitors run, an alert acknowledged or resolved, an import of
coordinators, another period each give freshly computed figures, equal to computing them
anew."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from service.alerts import service as alerts
from service.auth.actors import Actor
from service.db import session_scope
from service.flows.assessment import Assessment, Period, assess, compute_figures
from service.flows.monitor_runs import run_monitors
from service.imports.service import run_import
from service.reports import service as cached
from tests.conftest import shared_reference
from tests.factories import AS_OF, write_csv
from tests.service.portals.conftest import bearer, sign_in

YEAR = Period(AS_OF.year)
REPORT = f"/inspector/reports/assessment?year={AS_OF.year}"
ADMIN = Actor(user_id=None, username="admin", role="admin", counties=frozenset({"330300"}))
# A table only the computation reads (the work-injury figure): seen, the figures were computed.
COMPUTED_FROM = "employment_contract"


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    @property
    def computed(self) -> bool:
        return any(COMPUTED_FROM in s for s in self.sql)


@contextmanager
def statements(engine: Engine) -> Iterator[Statements]:
    """Every SQL statement the engine runs inside the block."""
    seen = Statements()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.sql.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _assess(world, period: Period = YEAR) -> tuple[Assessment, Statements]:
    with statements(world.engine) as seen, world.engine.begin() as conn:
        found = assess(conn=conn, reference=shared_reference(), period=period, today=AS_OF)
    return found, seen


def _figures(found: Assessment) -> dict[str, dict[str, tuple]]:
    return {
        c.code: {k: (m.value, m.numerator, m.denominator, m.extra) for k, m in c.measured.items()}
        for c in found.counties
    }


def _fresh(world, found: Assessment) -> None:
    """The figures served equal the figures computed from the data now, without the cache."""
    with world.engine.connect() as conn:
        computed = compute_figures(
            conn=conn, reference=shared_reference(), period=found.period,
            cut_off=found.cut_off, measures=sorted({i.measure for i in found.indicators}),
        )  # fmt: skip
    for county in found.counties:
        for indicator in found.indicators:
            served = county.measured[indicator.id]
            expected = computed[indicator.measure].get(county.code)
            if expected is None:
                assert served.value is None and served.denominator == 0
                continue
            assert (served.value, served.numerator, served.denominator, served.extra) == (
                expected.value, expected.numerator, expected.denominator, expected.extra,
            ), (county.code, indicator.id)  # fmt: skip


def _cached_rows(world) -> list[tuple[str, str]]:
    with world.engine.connect() as conn:
        rows = conn.execute(text("SELECT period_key, inputs_key FROM assessment_figures"))
        return sorted((str(p), str(k)) for p, k in rows)


def _lucheng_alert(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT a.id FROM alert a JOIN employer e ON e.id = a.employer_id "
                "WHERE e.county_code = '330302' AND a.handling = 'new' ORDER BY a.id LIMIT 1"
            )
        ).scalar_one()


def _handled(found: Assessment, county: str) -> int:
    return (
        next(c for c in found.counties if c.code == county)
        .measured["alert_handling_days"]
        .numerator
    )


def test_a_repeated_view_reads_the_stored_figures(world):
    first, cold = _assess(world)
    assert cold.computed
    assert len(_cached_rows(world)) == 1
    again, warm = _assess(world)
    assert not warm.computed
    # The counties, the four input versions and the stored row: nothing scans the data.
    assert len(warm.sql) <= 8, warm.sql
    assert not any("payroll_entry" in s or "insurance_coverage" in s for s in warm.sql)
    assert _figures(again) == _figures(first)
    assert [(c.code, c.score, c.rank) for c in again.counties] == [
        (c.code, c.score, c.rank) for c in first.counties
    ]
    _fresh(world, again)
    # Another process (a second worker) has none of this one's memory: it reads the row.
    cached._FRESH.clear()
    from_row, seen = _assess(world)
    assert not seen.computed and any("assessment_figures" in s for s in seen.sql)
    assert _figures(from_row) == _figures(first)


def test_a_first_view_computes_on_the_requests_one_connection(app_client, world):
    sign_in(app_client, "admin")
    engine = app_client.app.state.engine
    checkouts = []

    def checked_out(*_) -> None:  # the app's import-jobs thread polls beside the request
        if threading.current_thread().name != "import-jobs":
            checkouts.append(1)

    event.listen(engine, "checkout", checked_out)
    try:
        with statements(engine) as seen:
            assert app_client.get(REPORT).status_code == 200
    finally:
        event.remove(engine, "checkout", checked_out)
    assert seen.computed
    assert len(checkouts) == 1
    assert len(_cached_rows(world)) == 1  # committed with the request


def test_the_page_its_workbook_pdf_and_json_share_one_computation(app_client, world):
    sign_in(app_client, "admin")
    headers = bearer(app_client, "inspector.a")
    engine = app_client.app.state.engine  # the app's own
    with statements(engine) as seen:
        assert app_client.get(REPORT).status_code == 200
    assert seen.computed
    with statements(engine) as seen:
        for path in (REPORT, REPORT.replace("assessment?", "assessment.xlsx?"),
                     REPORT.replace("assessment?", "assessment.pdf?")):  # fmt: skip
            assert app_client.get(path).status_code == 200, path
        api = app_client.get(f"/api/reports/assessment?year={AS_OF.year}", headers=headers)
        assert api.status_code == 200
    assert not seen.computed
    assert len(_cached_rows(world)) == 1


def test_an_alert_acknowledged_gives_fresh_figures(world):
    before, _ = _assess(world)
    alert_id = _lucheng_alert(world)
    with session_scope(world.engine) as session:
        alerts.acknowledge(session=session, actor=ADMIN, alert_id=alert_id)
    after, seen = _assess(world)
    assert seen.computed
    assert _handled(after, "330302") == _handled(before, "330302") + 1
    _fresh(world, after)
    assert not _assess(world)[1].computed


def test_an_alert_resolved_gives_fresh_figures(world):
    before, _ = _assess(world)
    alert_id = _lucheng_alert(world)
    with session_scope(world.engine) as session:
        alerts.resolve(
            session=session, actor=ADMIN, alert_id=alert_id, note="已责令整改，工资已补发"
        )
    after, seen = _assess(world)
    assert seen.computed
    assert _handled(after, "330302") == _handled(before, "330302") + 1
    _fresh(world, after)


def test_a_monitors_run_gives_fresh_figures(world):
    before, _ = _assess(world)
    # The next day: a run whose findings are not reused (the as-of day differs).
    summary = run_monitors(world.engine, shared_reference(), as_of=AS_OF + timedelta(days=1))
    assert not summary.reused
    after, seen = _assess(world)
    assert seen.computed
    _fresh(world, after)
    assert after.cut_off == before.cut_off
    # The rows of older inputs are dropped: one row per period.
    assert len(_cached_rows(world)) == 1


def test_a_monitors_run_that_reuses_its_findings_keeps_the_figures(world):
    _assess(world)
    summary = run_monitors(world.engine, shared_reference(), as_of=AS_OF)
    assert summary.reused
    assert not _assess(world)[1].computed


def test_a_coordinators_import_gives_fresh_figures(world, tmp_path: Path):
    before, _ = _assess(world)
    lucheng = next(c for c in before.counties if c.code == "330302")
    assert lucheng.measured["coordinator_staffing"].value is None  # none on record yet
    folder = tmp_path / "coordinators"
    write_csv(
        folder, "coordinators",
        [{"county_code": "330302", "year": str(AS_OF.year), "coordinators": "700",
          "registered_migrants": "400000"}],
    )  # fmt: skip
    assert run_import(world.engine, folder, shared_reference()).ok
    after, seen = _assess(world)
    assert seen.computed
    staffing = next(c for c in after.counties if c.code == "330302").measured[
        "coordinator_staffing"
    ]
    assert (staffing.numerator, staffing.denominator) == (700, 800)
    assert staffing.extra["shortfall"] == 100
    _fresh(world, after)


def test_coordinators_written_without_an_import_still_give_fresh_figures(world):
    """The coordinators rows are part of the key as they are, not only through the data
    version: a row written by hand (as the demo and the tests do) is seen too."""
    _assess(world)
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO county_coordinators (county_code, year, coordinators, "
                "registered_migrants) VALUES ('330304', :y, 150, 60000)"
            ),
            {"y": AS_OF.year},
        )
    after, seen = _assess(world)
    assert seen.computed
    ouhai = next(c for c in after.counties if c.code == "330304")
    assert ouhai.measured["coordinator_staffing"].numerator == 150


def test_each_period_has_its_own_figures(world):
    _assess(world)
    quarter, seen = _assess(world, Period(AS_OF.year, 4))
    assert seen.computed
    assert quarter.period.key == f"{AS_OF.year}-Q4"
    _fresh(world, quarter)
    # Both stay: the year is still read from its row.
    assert [p for p, _ in _cached_rows(world)] == [str(AS_OF.year), f"{AS_OF.year}-Q4"]
    assert not _assess(world)[1].computed
    assert not _assess(world, Period(AS_OF.year, 4))[1].computed
