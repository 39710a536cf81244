"""The overview from the command line: a read-only supervisor is created like an inspector,
and the demo (its complaints, monthly runs before the demo day) gives the overview a picture
worth showing: several tiers, counties with different figures, twelve months of trends."""

from sqlalchemy import text

from service.db import make_engine
from tests.service.test_cli import wageguard

STRONG = "tidal-lantern-orchard-57"


def test_users_create_makes_a_supervisor_scoped_to_places(db_url):
    created = wageguard(
        "users", "create", "supervisor.x", "--role", "supervisor", "--name", "督查",
        "--scope", "330302", database_url=db_url, WAGEGUARD_NEW_PASSWORD=STRONG,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        role, scope = conn.execute(
            text(
                "SELECT u.role, s.jurisdiction_code FROM app_user u "
                "JOIN user_scope s ON s.user_id = u.id WHERE u.username = 'supervisor.x'"
            )
        ).one()
    engine.dispose()
    assert (role, scope) == ("supervisor", "330302")


def test_the_demo_gives_the_overview_tiers_counties_and_trends(db_url, tmp_path):
    demo = wageguard("demo", "--out", str(tmp_path / "demo"), database_url=db_url)
    assert demo.returncode == 0, demo.stderr
    assert "demo complaints filed" in demo.stdout and "supervisor.city" in demo.stdout
    run = wageguard(
        "monitors", "run", "--as-of", "2026-11-30", "--months-before", "2", database_url=db_url
    )
    assert run.returncode == 0, run.stderr
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == [
        "monitors as of 2026-09-30",
        "monitors as of 2026-10-31",
        "monitors as of 2026-11-30",
    ]
    # Run again: the history days are not after the latest run, so only the day itself runs.
    again = wageguard(
        "monitors", "run", "--as-of", "2026-11-30", "--months-before", "2", database_url=db_url
    )
    assert again.stdout.count("monitors as of") == 1
    engine = make_engine(db_url)
    with engine.connect() as conn:
        latest = conn.execute(text("SELECT max(run_id) FROM place_summary")).scalar_one()
        city = conn.execute(
            text(
                "SELECT tier_red, tier_orange, tier_yellow, complaints_received, "
                "complaints_mediated_in_time, complaints_overdue, legal_aid_referrals "
                "FROM place_summary WHERE run_id = :r AND level = 'city'"
            ),
            {"r": latest},
        ).one()
        counties = conn.execute(
            text(
                "SELECT alerts_critical + alerts_high + alerts_medium + alerts_low, "
                "complaints_received FROM place_summary WHERE run_id = :r AND level = 'county'"
            ),
            {"r": latest},
        ).all()
        opened_months = conn.execute(
            text(
                "SELECT count(*) FROM place_month WHERE run_id = :r AND place_code = '330300' "
                "AND alerts_opened > 0"
            ),
            {"r": latest},
        ).scalar_one()
    engine.dispose()
    red, orange, yellow, received, in_time, overdue, legal_aid = city
    assert red > 0 and orange > 0 and yellow > 0
    assert received > in_time > 0 and overdue > 0 and legal_aid > 0
    assert len({alerts for alerts, _ in counties}) >= 4  # counties differ
    assert len({complaints for _, complaints in counties}) >= 4
    assert opened_months >= 3  # alerts opened in each of the runs' months
