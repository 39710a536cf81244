"""The demo gives the county assessment a picture worth showing: after `make run`'s steps
(the demo, monitors runs at the ends of the months before the demo day, the demo's casework),
every indicator has a figure in every county, and the counties' scores differ.

The demo and the runs are the functions those commands call, in this process: a command's
start costs seconds, and the commands themselves are tested on their own (tests/service/
test_cli.py, test_overview_cli.py, monitoring/test_shards.py). `demo-casework` still runs as
the command: no other test runs it."""

from datetime import date

from sqlalchemy import text

from service.flows.assessment import Period, assess
from service.flows.monitor_runs import run_monitors
from tests.factories import import_demo
from tests.service.test_cli import wageguard

DEMO_DAY = "2026-11-30"
MONTH_ENDS = ("2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", DEMO_DAY)


def test_every_indicator_has_a_figure_in_every_county_of_the_demo(db_url, engine, reference):
    import_demo(engine, reference, users=True)  # what `wageguard demo` does
    # `make run`'s `monitors run --months-before 5`: a run per day, oldest first.
    for day in MONTH_ENDS:
        run_monitors(engine, reference, as_of=date.fromisoformat(day))
    casework = wageguard("demo-casework", "--as-of", DEMO_DAY, database_url=db_url)
    assert casework.returncode == 0, casework.stderr
    assert "demo alerts acknowledged" in casework.stdout
    # Today is before the demo day in real time too: the report's cut-off is its own.
    with engine.begin() as conn:
        assessment = assess(
            conn=conn, reference=reference, period=Period(2026), today=date(2026, 11, 28)
        )
    with engine.connect() as conn:
        settled = conn.execute(
            text("SELECT count(*) FROM alert WHERE rule = 'wages.unpaid' AND status = 'resolved'")
        ).scalar_one()
        backdated = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'alert.acknowledge'")
        ).scalar_one()
    assert settled >= 10 and backdated > 0
    empty = {
        (county.code, indicator): measured
        for county in assessment.counties
        for indicator, measured in county.measured.items()
        if measured.value is None
    }
    assert not empty, sorted(empty)
    scores = [round(county.score or 0, 1) for county in assessment.counties]
    assert len(set(scores)) >= 8, scores  # the counties differ
    for indicator in ("arrears_settlement_days", "alert_handling_days",
                      "service_office_compliance"):  # fmt: skip
        values = {county.measured[indicator].value for county in assessment.counties}
        assert len(values) >= 2, (indicator, values)
    handled = [county.measured["alert_handling_days"].numerator for county in assessment.counties]
    assert sum(handled) > 0
