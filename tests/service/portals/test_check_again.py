""" "Check again" (重新检查) on the employer's obligations page and the inspector's employer
file, and their JSON twins: one employer's alerts brought up to date at once, nobody else's
touched, audited, within scope, an employer's presses limited — through real HTTP, on both
databases."""

import re

from sqlalchemy import select, text

from service import clock, data_version
from service.audit.models import AuditEntry
from service.db import session_scope
from service.monitoring.lock import monitor_lock
from tests.service.portals.conftest import bearer, csrf_cookie, signed_in

ALERT_COLUMNS = "id, rule, employer_id, project_code, period, status, amount_fen, last_seen"
CHECKED = re.compile(r"/(employer|inspector/employers/\d+)\?checked=(\d+)#check-again")


def alerts_of(engine, employer_id: int) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT {ALERT_COLUMNS} FROM alert WHERE employer_id = :e ORDER BY id"),
            {"e": employer_id},
        )
        return [tuple(row) for row in rows]


def alert_status(engine, employer_id: int, rule: str, period: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT status FROM alert WHERE employer_id = :e AND rule = :r AND period = :p"),
            {"e": employer_id, "r": rule, "p": period},
        ).scalar_one()


def in_english(location: str) -> str:
    """The address a redirect named, in English (before its #fragment)."""
    path, _, fragment = location.partition("#")
    return f"{path}&lang=en#{fragment}"


def pay_in_full(engine, employer_id: int) -> None:
    """What the employer's corrected payroll upload does: every wage paid in full."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE payroll_entry SET amount_paid_fen = amount_due_fen WHERE employer_id = :e"
            ),
            {"e": employer_id},
        )
        data_version.bump(conn)


def checks(engine) -> list[AuditEntry]:
    with session_scope(engine) as session:
        statement = select(AuditEntry).where(AuditEntry.action == "monitors.check_employer")
        return list(session.scalars(statement.order_by(AuditEntry.id)))


def check_runs(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM monitor_run WHERE trigger = 'check_again'")
        ).scalar_one()


# --- the employer -------------------------------------------------------------------------------


def test_an_employer_that_fixed_its_payroll_sees_the_alert_cleared_at_once(app_client, world):
    """Employer B underpaid February (wages.unpaid); it pays in full, presses the button, and
    the alert is resolved now; employer A's alerts stay exactly as they were."""
    engine = world.engine
    assert alert_status(engine, world.employer_b, "wages.unpaid", "2026-02") == "open"
    others_before = alerts_of(engine, world.employer_a)
    pay_in_full(engine, world.employer_b)

    client = signed_in(app_client, "employer.b")
    page = client.get("/employer")
    assert "重新检查" in page.text and 'action="/employer/check-again"' in page.text
    response = client.post(
        "/employer/check-again", data=csrf_cookie(client), follow_redirects=False
    )
    assert response.status_code == 303
    match = CHECKED.fullmatch(response.headers["location"])
    assert match and match.group(1) == "employer"

    assert alert_status(engine, world.employer_b, "wages.unpaid", "2026-02") == "resolved"
    assert alerts_of(engine, world.employer_a) == others_before
    [entry] = checks(engine)
    assert entry.actor_label == "employer:employer.b"
    assert entry.employer_id == world.employer_b and entry.entity_key == match.group(2)
    assert entry.after["as_of"] == clock.today().isoformat()
    assert entry.after["resolved"] >= 1
    raised = entry.after["opened"] + entry.after["reopened"]

    shown = client.get(response.headers["location"]).text
    assert f"已重新检查：新增 {raised} 条，解除 {entry.after['resolved']} 条预警。" in shown
    english = client.get(in_english(response.headers["location"])).text
    assert f"Checked again: {raised} new, {entry.after['resolved']} cleared alerts." in english


def test_an_employer_checks_only_itself(app_client, world):
    engine = world.engine
    b_before = alerts_of(engine, world.employer_b)
    pay_in_full(engine, world.employer_b)  # B's alert would clear if anyone checked B
    client = signed_in(app_client, "employer.a")
    headers = bearer(client, "employer.a")
    # The inspector's routes, page and API, are not the employer's.
    assert (
        client.post(
            f"/inspector/employers/{world.employer_b}/check-again",
            data=csrf_cookie(client),
            follow_redirects=False,
        ).status_code
        == 403
    )
    refused = client.post(f"/api/employers/{world.employer_b}/check-again", headers=headers)
    assert refused.status_code == 403
    # Its own button checks its own records, whatever it sends along.
    own = client.post(
        f"/employer/check-again?employer_id={world.employer_b}",
        data=csrf_cookie(client) | {"employer_id": str(world.employer_b)},
        follow_redirects=False,
    )
    assert own.status_code == 303
    assert alerts_of(engine, world.employer_b) == b_before
    [entry] = checks(engine)
    assert entry.employer_id == world.employer_a

    # Another employer's check is not shown on its page, by run number.
    other = signed_in(app_client, "employer.b")
    assert other.post("/employer/check-again", data=csrf_cookie(other)).status_code == 200
    b_run = checks(engine)[-1].entity_key
    page = signed_in(app_client, "employer.a").get(f"/employer?checked={b_run}").text
    assert "已重新检查" not in page


def test_an_employer_may_check_again_once_a_minute(app_client, world):
    client = signed_in(app_client, "employer.a")
    first = client.post("/employer/check-again", data=csrf_cookie(client), follow_redirects=False)
    assert first.status_code == 303
    again = client.post("/employer/check-again", data=csrf_cookie(client), follow_redirects=False)
    assert again.status_code == 429
    assert "本单位刚刚重新检查过，每分钟最多一次" in again.text
    english = client.post("/employer/check-again?lang=en", data=csrf_cookie(client))
    assert english.status_code == 429 and "once a minute at most" in english.text
    # The API twin shares the limit, and answers in the caller's language.
    api = client.post("/api/employer/check-again?lang=en", headers=bearer(client, "employer.a"))
    assert api.status_code == 429
    assert api.json()["error"] == "TooManyRequests"
    assert api.json()["detail"].startswith("This employer was checked again a moment ago")
    # Refused presses ran nothing; another employer is not held back.
    assert check_runs(world.engine) == 1 and len(checks(world.engine)) == 1
    other = client.post("/api/employer/check-again", headers=bearer(client, "employer.b"))
    assert other.status_code == 200 and other.json()["employer_id"] == world.employer_b


def test_a_check_while_a_run_holds_the_lock_says_so_and_costs_no_press(app_client, world):
    client = signed_in(app_client, "employer.a")
    headers = bearer(client, "employer.a")
    with monitor_lock(world.engine):
        busy = client.post(
            "/employer/check-again", data=csrf_cookie(client), follow_redirects=False
        )
        assert busy.status_code == 303
        assert busy.headers["location"] == "/employer?busy=1#check-again"
        assert "另一次检查正在进行，请几分钟后再试。" in client.get(busy.headers["location"]).text
        api = client.post("/api/employer/check-again?lang=en", headers=headers)
        assert api.status_code == 409
        assert api.json()["detail"].startswith("Another monitors run is in progress")
    assert checks(world.engine) == [] and check_runs(world.engine) == 0
    # The refused presses were given back: the next one runs at once.
    assert client.post("/api/employer/check-again", headers=headers).status_code == 200


def test_the_button_needs_the_csrf_token(app_client, world):
    client = signed_in(app_client, "employer.a")
    assert client.post("/employer/check-again", follow_redirects=False).status_code == 403
    inspector = signed_in(app_client, "inspector.a")
    path = f"/inspector/employers/{world.employer_a}/check-again"
    assert inspector.post(path, follow_redirects=False).status_code == 403
    assert check_runs(world.engine) == 0


# --- the inspector ------------------------------------------------------------------------------


def test_an_inspector_checks_an_employer_of_the_county_from_its_file(app_client, world):
    engine = world.engine
    pay_in_full(engine, world.employer_b)
    others_before = alerts_of(engine, world.employer_a)
    client = signed_in(app_client, "inspector.b")
    file_page = client.get(f"/inspector/employers/{world.employer_b}").text
    assert f'action="/inspector/employers/{world.employer_b}/check-again"' in file_page
    response = client.post(
        f"/inspector/employers/{world.employer_b}/check-again",
        data=csrf_cookie(client),
        follow_redirects=False,
    )
    assert response.status_code == 303
    match = CHECKED.fullmatch(response.headers["location"])
    assert match and match.group(1) == f"inspector/employers/{world.employer_b}"
    assert alert_status(engine, world.employer_b, "wages.unpaid", "2026-02") == "resolved"
    assert alerts_of(engine, world.employer_a) == others_before
    [entry] = checks(engine)
    assert entry.actor_label == "inspector:inspector.b" and entry.employer_id == world.employer_b
    resolved = entry.after["resolved"]
    shown = client.get(response.headers["location"]).text
    assert f"解除 {resolved} 条预警" in shown
    # The employer's audit trail names the check.
    trail = client.get(f"/inspector/employers/{world.employer_b}/audit").text
    assert "重新检查单位" in trail
    # An inspector is not limited to one a minute; the API twin answers the summary.
    api = client.post(
        f"/api/employers/{world.employer_b}/check-again", headers=bearer(client, "inspector.b")
    )
    assert api.status_code == 200
    assert api.json()["employer_id"] == world.employer_b
    assert api.json()["as_of"] == clock.today().isoformat()
    assert len(checks(engine)) == 2


def test_an_inspector_cannot_check_an_employer_of_another_county(app_client, world):
    engine = world.engine
    pay_in_full(engine, world.employer_b)
    before = alerts_of(engine, world.employer_b)
    client = signed_in(app_client, "inspector.a")  # Lucheng; employer B is in Ouhai
    page = client.post(
        f"/inspector/employers/{world.employer_b}/check-again",
        data=csrf_cookie(client),
        follow_redirects=False,
    )
    assert page.status_code == 404
    api = client.post(
        f"/api/employers/{world.employer_b}/check-again", headers=bearer(client, "inspector.a")
    )
    assert api.status_code == 404
    assert alerts_of(engine, world.employer_b) == before
    assert checks(engine) == [] and check_runs(engine) == 0
    # Nor read another county's check by its run number on an employer of its own.
    other = signed_in(app_client, "inspector.b")
    other.post(f"/inspector/employers/{world.employer_b}/check-again", data=csrf_cookie(other))
    b_run = checks(engine)[-1].entity_key
    own = signed_in(app_client, "inspector.a")
    assert (
        "已重新检查" not in own.get(f"/inspector/employers/{world.employer_a}?checked={b_run}").text
    )


def test_an_inspector_check_while_a_run_holds_the_lock(app_client, world):
    client = signed_in(app_client, "inspector.a")
    path = f"/inspector/employers/{world.employer_a}/check-again"
    with monitor_lock(world.engine):
        busy = client.post(path, data=csrf_cookie(client), follow_redirects=False)
        assert busy.status_code == 303
        shown = client.get(in_english(busy.headers["location"])).text
        assert "Another monitors run is in progress" in shown
    assert checks(world.engine) == []


def test_an_employers_own_check_leaves_the_complaint_alerts_to_the_shield():
    """What a worker's complaint raises reaches the employer only when released: its own
    press neither moves those alerts nor counts them in its confirmation."""
    from monitors.registry import all_rules
    from service.auth.actors import Actor
    from service.flows.check_again import rules_for

    employer = rules_for(Actor(user_id=1, username="e", role="employer", employer_id=1))
    inspector = rules_for(Actor(user_id=2, username="i", role="inspector"))
    assert inspector == all_rules()
    complaint_rules = {r for r, rule in all_rules().items() if "complaints" in rule.inputs}
    assert complaint_rules and not complaint_rules & set(employer)
    assert set(employer) | complaint_rules == set(all_rules())
