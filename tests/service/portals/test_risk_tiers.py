"""Risk tiers on the pages and their JSON twins, on both databases: the inspector's employer
list (badge, filter, sort), the employer file (why, legal basis, history), the employer's
obligations page; and the complainant shield: an anonymous complaint never moves what the
employer sees before its release (complaints.disclosure)."""

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text

from service import clock
from service.complaints.disclosure import released_on
from service.complaints.models import Complaint
from service.db import session_scope
from service.flows.monitor_runs import run_monitors
from service.risk import service as risk
from tests.factories import complaint_in_world
from tests.service.portals.conftest import bearer, signed_in, visible_text

NAME_A = "温州鹿城鞋业有限公司"  # yellow in the world: open alerts only
NAME_B = "温州瓯江建设有限公司"  # orange: wages unpaid for 9 months
INTERNAL_CODES = re.compile(
    r"\b(red|orange|yellow|green)\b|red_open|red_arrears|orange_|yellow_open|green_default"
)


def make_red(world, employer_id: int) -> None:
    """A newer tier row: the latest row per employer is its current tier."""
    with world.engine.begin() as conn:
        run = conn.execute(text("SELECT max(id) FROM monitor_run")).scalar_one()
        row = {
            "employer_id": employer_id,
            "run_id": run,
            "as_of": date(2026, 11, 30),
            "tier": "red",
            "reasons": [{"rule": "red_open_critical_alert", "figure": 1, "threshold": 1}],
        }
        risk.store(conn, [row], run_id=run)


def names_in_order(html: str) -> list[str]:
    return [n for n in re.findall(r"温州[^<]*有限公司", html) if n in (NAME_A, NAME_B)]


# --- the inspector's employer list --------------------------------------------------------------


def test_list_shows_each_tier_as_a_word_and_filters_by_tier(world, app_client):
    http = signed_in(app_client, "admin")
    page = http.get("/inspector/employers")
    assert page.status_code == 200
    assert 'class="tier tier-yellow">黄色<' in page.text
    assert 'class="tier tier-orange">橙色<' in page.text
    orange = http.get("/inspector/employers", params={"tier": "orange"})
    assert NAME_B in orange.text and NAME_A not in orange.text
    assert http.get("/inspector/employers", params={"tier": "purple"}).status_code == 422


def test_list_sorts_red_first_and_its_json_twin_agrees(world, app_client):
    make_red(world, world.employer_a)
    http = signed_in(app_client, "admin")
    assert names_in_order(http.get("/inspector/employers").text) == [NAME_B, NAME_A]  # by name
    by_tier = http.get("/inspector/employers", params={"sort": "tier"}).text
    assert names_in_order(by_tier) == [NAME_A, NAME_B]
    http.cookies.clear()
    api = http.get("/api/employers", params={"sort": "tier"}, headers=bearer(http, "admin"))
    assert [(e["name"], e["risk_tier"]) for e in api.json()["items"]] == [
        (NAME_A, "red"),
        (NAME_B, "orange"),
    ]
    red = http.get("/api/employers", params={"tier": "red"}, headers=bearer(http, "admin"))
    assert [e["name"] for e in red.json()["items"]] == [NAME_A]


def test_an_inspector_sees_only_the_tiers_in_scope(world, app_client):
    http = signed_in(app_client, "inspector.a")  # Lucheng: employer A only
    page = http.get("/inspector/employers", params={"tier": "orange"})
    assert NAME_B not in page.text


# --- the employer file --------------------------------------------------------------------------


def test_file_shows_the_tier_why_the_legal_basis_and_the_history(world, app_client):
    http = signed_in(app_client, "admin")
    page = http.get(f"/inspector/employers/{world.employer_b}")
    assert page.status_code == 200
    text_zh = visible_text(page.text)
    assert "橙色" in text_zh
    assert "有工人的工资拖欠达三个月以上" in text_zh
    assert "最长拖欠 9 个月（标准：3 个月以上）" in text_zh
    assert "最高人民法院关于审理拒不支付劳动报酬刑事案件适用法律若干问题的解释" in text_zh
    assert "等级变化记录" in text_zh
    assert not INTERNAL_CODES.search(text_zh), INTERNAL_CODES.search(text_zh)
    english = visible_text(http.get(f"/inspector/employers/{world.employer_b}?lang=en").text)
    assert "Orange" in english and "wages have been unpaid for three months" in english


def test_file_history_keeps_every_change(world, app_client):
    make_red(world, world.employer_a)
    http = signed_in(app_client, "admin")
    http.cookies.clear()
    file = http.get(f"/api/employers/{world.employer_a}", headers=bearer(http, "admin")).json()
    assert file["risk"]["tier"] == "red"
    assert [change["tier"] for change in file["risk_history"]] == ["red", "yellow"]
    assert file["risk"]["reasons"][0]["rule"] == "red_open_critical_alert"


# --- the employer's own page --------------------------------------------------------------------


def test_employer_sees_its_own_tier_and_why(world, app_client):
    http = signed_in(app_client, "employer.b")
    page = http.get("/employer")
    assert page.status_code == 200
    shown = visible_text(page.text)
    assert "橙色" in shown and "有工人的工资拖欠达三个月以上" in shown
    assert not INTERNAL_CODES.search(shown), INTERNAL_CODES.search(shown)
    http.cookies.clear()
    api = http.get("/api/employer/obligations", headers=bearer(http, "employer.b")).json()
    assert api["risk"]["tier"] == "orange"


def _open_alert_count(view: dict) -> int:
    (reason,) = [r for r in view["reasons"] if r["rule"] == "yellow_open_alert"]
    return reason["measured"]


def _wenzhou_noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=clock.local_zone()).astimezone(UTC)


def test_an_anonymous_complaint_moves_nothing_the_employer_sees_before_release(
    world, app_client, monkeypatch
):
    filed = complaint_in_world(world, days_ago=20)  # anonymous: no consent to disclose
    with session_scope(world.engine) as session:
        due = session.get(Complaint, filed.complaint_id).mediation_due_on
    overdue_day = due + timedelta(days=1)
    at = {"now": _wenzhou_noon(overdue_day)}
    monkeypatch.setattr(clock, "utc_now", lambda: at["now"])
    run_monitors(world.engine, app_client.app.state.reference, as_of=overdue_day)
    with world.engine.connect() as conn:
        rules = set(
            conn.execute(
                text("SELECT rule FROM alert WHERE employer_id = :e AND status = 'open'"),
                {"e": world.employer_a},
            ).scalars()
        )
    assert "mediation.overdue" in rules

    inspector = app_client.get(
        f"/api/employers/{world.employer_a}", headers=bearer(app_client, "admin")
    ).json()["risk"]
    token = bearer(app_client, "employer.a")
    before = app_client.get("/api/employer/obligations", headers=token).json()["risk"]
    # The inspectors count the overdue mediation; the employer does not, yet.
    assert _open_alert_count(inspector) == _open_alert_count(before) + 1
    signed_in(app_client, "employer.a")
    page = visible_text(app_client.get("/employer").text)
    assert f"未消除预警 {_open_alert_count(before)} 条" in page

    at["now"] = _wenzhou_noon(released_on(overdue_day))
    after = app_client.get("/api/employer/obligations", headers=token).json()["risk"]
    assert _open_alert_count(after) == _open_alert_count(inspector)
