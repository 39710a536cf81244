"""The inspector's side: the alert inbox, one alert and its handling, the employer page,
the audit trail and "run monitors now" — through real HTTP requests, on both databases."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, text

from monitors.rules.deposits import deposit_positions
from service import clock, data_version
from service.alerts.models import Alert
from service.audit.models import AuditEntry
from service.auth.service import create_user
from service.db import session_scope
from service.flows.monitor_runs import run_monitors
from service.monitoring.frames import load_snapshot
from service.monitoring.lock import monitor_lock
from tests.factories import EMPLOYER_A, EMPLOYER_B, WORKER_1, WORKER_2
from tests.service.portals.conftest import AS_OF, PASSWORD, bearer, csrf_cookie, signed_in

NAME_A = "温州鹿城鞋业有限公司"
NAME_B = "温州瓯江建设有限公司"


def tomorrow() -> date:
    """Asked at the moment of use, so a run across midnight still snoozes into the future."""
    return clock.today() + timedelta(days=1)


# --- helpers ------------------------------------------------------------------------------------


def alert_of(engine, employer_id: int, rule: str | None = None) -> int:
    """The id of one of the employer's alerts (of `rule`, if given)."""
    query = "SELECT id FROM alert WHERE employer_id = :e" + (" AND rule = :r" if rule else "")
    with engine.connect() as conn:
        return conn.execute(text(query + " ORDER BY id"), {"e": employer_id, "r": rule}).first()[0]


def handling_of(engine, alert_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT status, severity, subject_count, amount_fen, handling, assigned_to_id, "
                "snoozed_until, handling_note, handled_at FROM alert WHERE id = :id"
            ),
            {"id": alert_id},
        )
        return dict(row.mappings().one())


def audit_entries(engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def add_inspector(engine, username: str, scopes: list[str]) -> int:
    with session_scope(engine) as session:
        user = create_user(
            session=session,
            actor=None,
            username=username,
            password=PASSWORD,
            role="inspector",
            display_name=username,
            scopes=scopes,
        )
        return user.id


def user_id(engine, username: str) -> int:
    with engine.connect() as conn:
        query = text("SELECT id FROM app_user WHERE username = :u")
        return conn.execute(query, {"u": username}).scalar_one()


def add_alerts(engine, employer_id: int, count: int) -> None:
    """`count` more alerts straight into the table, with varied severity, amount and day."""
    severities = ["low", "medium", "high", "critical"]
    rows = [
        {
            "rule": "wages.unpaid",
            "employer_id": employer_id,
            "project_code": "",
            "period": f"{1900 + i // 12}-{i % 12 + 1:02d}",
            "status": "open",
            "severity": severities[i % 4],
            "subject_count": 1 + i % 7,
            "amount_fen": None if i % 10 == 0 else 1000 * (i + 1),
            "evidence": {"workers": ["510122********0011"]},
            "legal_basis_zh": "《劳动法》第五十条",
            "legal_basis_en": "Labour Law, Art. 50",
            "first_seen": date(2020, 1, 1) + timedelta(days=i),
            "last_seen": date(2020, 1, 1) + timedelta(days=i),
            "handling": "new",
        }
        for i in range(count)
    ]
    with engine.begin() as conn:
        conn.execute(Alert.__table__.insert(), rows)


def count_alerts(engine, employer_id: int | None = None, status: str = "open") -> int:
    query = select(func.count()).select_from(Alert).where(Alert.status == status)
    if employer_id is not None:
        query = query.where(Alert.employer_id == employer_id)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


# --- the inbox ----------------------------------------------------------------------------------


def test_an_inspector_sees_only_the_alerts_of_employers_in_the_jurisdiction(app_client, world):
    page = signed_in(app_client, "inspector.a").get("/inspector/alerts")
    assert page.status_code == 200
    assert NAME_A in page.text and NAME_B not in page.text
    found = app_client.get("/api/alerts", headers=bearer(app_client, "inspector.a")).json()
    assert found["total"] == count_alerts(world.engine, world.employer_a) > 0
    assert {item["employer_id"] for item in found["items"]} == {world.employer_a}


def test_an_administrator_sees_the_alerts_of_every_county(app_client, world):
    found = app_client.get("/api/alerts", headers=bearer(app_client, "admin")).json()
    assert {item["employer_id"] for item in found["items"]} == {world.employer_a, world.employer_b}
    assert found["total"] == count_alerts(world.engine)
    page = signed_in(app_client, "admin").get("/inspector/alerts")
    assert NAME_A in page.text and NAME_B in page.text


def test_an_inspector_of_a_town_sees_the_employers_of_that_town(app_client, world):
    add_inspector(world.engine, "inspector.town", ["330302/双屿街道"])
    found = app_client.get("/api/alerts", headers=bearer(app_client, "inspector.town")).json()
    assert {item["employer_id"] for item in found["items"]} == {world.employer_a}


def test_the_inbox_filters_by_county_town_rule_severity_status_handling_and_search(
    app_client, world
):
    headers = bearer(app_client, "admin")

    def ids(**params) -> set[int]:
        response = app_client.get("/api/alerts", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    def employers(**params) -> set[int]:
        response = app_client.get("/api/alerts", params=params, headers=headers).json()
        return {item["employer_id"] for item in response["items"]}

    assert employers(county="330304") == {world.employer_b}
    assert employers(town="双屿街道") == {world.employer_a}
    assert employers(q="鹿城") == {world.employer_a}
    assert employers(q=EMPLOYER_B) == {world.employer_b}
    unpaid = ids(rule="wages.unpaid")
    assert unpaid and unpaid == {alert_of(world.engine, world.employer_b, "wages.unpaid")}
    assert ids(severity="high") == unpaid
    assert ids(status="resolved") == set()
    assert ids(handling="acknowledged") == set()
    # an empty form field means "any"
    assert ids(rule="", severity="", county="") == ids()
    # a value no select offers is refused, not ignored
    assert app_client.get("/api/alerts?severity=urgent", headers=headers).status_code == 422
    assert app_client.get("/api/alerts?rule=wages.nope", headers=headers).status_code == 422


def test_the_inbox_sorts_by_severity_first_seen_amount_and_employer(app_client, world):
    add_alerts(world.engine, world.employer_a, 12)
    headers = bearer(app_client, "admin")

    def items(sort: str) -> list[dict]:
        return app_client.get("/api/alerts", params={"sort": sort}, headers=headers).json()["items"]

    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    by_severity = [rank[i["severity"]] for i in items("severity")]
    assert by_severity == sorted(by_severity) and by_severity[0] == 0
    first_seen = [i["first_seen"] for i in items("first_seen")]
    assert first_seen == sorted(first_seen, reverse=True)
    amounts = [i["amount_fen"] for i in items("amount")]
    known = [a for a in amounts if a is not None]
    assert known == sorted(known, reverse=True)
    assert amounts[: len(known)] == known  # alerts without an amount come last
    names = [i["employer_name"] for i in items("employer")]
    assert names == sorted(names)


def test_the_inbox_pages_through_many_alerts(app_client, world):
    add_alerts(world.engine, world.employer_a, 120)
    total = count_alerts(world.engine, world.employer_a)
    headers = bearer(app_client, "inspector.a")
    seen: list[int] = []
    pages = -(-total // 50)
    for page in range(1, pages + 1):
        found = app_client.get("/api/alerts", params={"page": page}, headers=headers).json()
        assert found["total"] == total and found["pages"] == pages and found["page"] == page
        assert len(found["items"]) == (50 if page < pages else total - 50 * (pages - 1))
        seen += [item["id"] for item in found["items"]]
    assert len(seen) == len(set(seen)) == total

    html = signed_in(app_client, "inspector.a").get("/inspector/alerts?sort=amount&page=2").text
    assert f"第 2/{pages} 页，共 {total} 条" in html
    assert 'href="?sort=amount&amp;page=3"' in html and 'href="?sort=amount"' in html


def test_a_snoozed_alert_leaves_the_inbox_until_its_day_has_passed(app_client, world):
    headers = bearer(app_client, "inspector.a")
    alert_id = alert_of(world.engine, world.employer_a)
    response = app_client.post(
        f"/api/alerts/{alert_id}/snooze", json={"until": tomorrow().isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text

    def listed(**params) -> set[int]:
        found = app_client.get("/api/alerts", params=params, headers=headers).json()
        return {item["id"] for item in found["items"]}

    assert alert_id not in listed()
    assert alert_id in listed(handling="snoozed")
    with world.engine.begin() as conn:  # the snooze day has passed
        conn.execute(
            text("UPDATE alert SET snoozed_until = :d WHERE id = :id"),
            {"d": clock.today() - timedelta(days=1), "id": alert_id},
        )
    assert alert_id in listed()


# --- one alert ----------------------------------------------------------------------------------


def test_the_alert_page_shows_masked_workers_money_and_legal_basis_in_both_languages(
    app_client, world
):
    alert_id = alert_of(world.engine, world.employer_b, "wages.unpaid")
    client = signed_in(app_client, "inspector.b")
    chinese = client.get(f"/inspector/alerts/{alert_id}")
    assert chinese.status_code == 200
    masked = WORKER_2[:6] + "********" + WORKER_2[-4:]
    assert masked in chinese.text and WORKER_2 not in chinese.text
    assert "工资未足额支付" in chinese.text and "《中华人民共和国劳动法》第五十条" in chinese.text
    assert "¥3,400.00" in chinese.text  # the money at stake
    assert "监测发现" in chinese.text  # the timeline's first event
    english = client.get(f"/inspector/alerts/{alert_id}?lang=en")
    assert "Wages not paid in full" in english.text
    assert "Labour Law of the PRC, Art. 50" in english.text
    assert "What to do next" in english.text and "Opened by the monitors" in english.text
    assert masked in english.text and WORKER_2 not in english.text

    detail = client.get(f"/api/alerts/{alert_id}", headers=bearer(client, "inspector.b")).json()
    assert detail["workers"] == [masked]
    assert detail["legal_basis_en"].startswith("Labour Law of the PRC")
    assert detail["evidence"]["amount_paid_fen"] == 340000
    assert [entry["kind"] for entry in detail["timeline"]] == ["opened"]


def test_an_alert_outside_the_jurisdiction_is_not_found(app_client, world):
    other = alert_of(world.engine, world.employer_b)
    client = signed_in(app_client, "inspector.a")
    assert client.get(f"/inspector/alerts/{other}").status_code == 404
    assert client.get("/inspector/alerts/999999").status_code == 404
    form = client.post(f"/inspector/alerts/{other}/acknowledge", data=csrf_cookie(client))
    assert form.status_code == 404
    headers = bearer(client, "inspector.a")
    assert client.get(f"/api/alerts/{other}", headers=headers).status_code == 404
    for action, body in [
        ("acknowledge", None),
        ("assign", {"assignee_id": user_id(world.engine, "inspector.b")}),
        ("snooze", {"until": tomorrow().isoformat()}),
        ("resolve", {"note": "done"}),
    ]:
        response = client.post(f"/api/alerts/{other}/{action}", json=body, headers=headers)
        assert response.status_code == 404, action
    assert handling_of(world.engine, other)["handling"] == "new"


def test_acknowledge_assign_snooze_and_resolve_through_the_forms(app_client, world, reference):
    colleague = add_inspector(world.engine, "inspector.a2", ["330302"])
    alert_id = alert_of(world.engine, world.employer_a)
    before = handling_of(world.engine, alert_id)
    client = signed_in(app_client, "inspector.a")
    url = f"/inspector/alerts/{alert_id}"
    assert "inspector.a2" in client.get(url).text  # offered as a colleague

    note = "单位已补发工资，已核实银行流水。"
    until = tomorrow()
    steps = [
        ("acknowledge", {}, {"handling": "acknowledged"}),
        ("assign", {"assignee_id": str(colleague)}, {"handling": "assigned",
                                                     "assigned_to_id": colleague}),
        ("snooze", {"until": until.isoformat()}, {"handling": "snoozed",
                                                  "snoozed_until": until}),
        ("resolve", {"note": note}, {"handling": "closed", "handling_note": note}),
    ]  # fmt: skip
    for action, data, expected in steps:
        response = client.post(
            f"{url}/{action}", data=data | csrf_cookie(client), follow_redirects=False
        )
        assert response.status_code == 303, action
        assert response.headers["location"] == f"{url}?done={action}", action
        state = handling_of(world.engine, alert_id)
        for column, value in expected.items():
            got = state[column]
            if isinstance(value, date) and isinstance(got, str):  # SQLite hands back text
                got = date.fromisoformat(got)
            assert got == value, (action, column)
        [entry] = audit_entries(world.engine, f"alert.{action}")
        assert entry.entity == "alert" and entry.entity_key == str(alert_id)
        assert entry.actor_label == "inspector:inspector.a"
        assert entry.employer_id == world.employer_a
        assert entry.after["handling"] == expected["handling"]
        assert entry.before is not None

    page = client.get(url).text
    assert "单位已补发工资" in page and "办结预警" in page  # the note, and the timeline
    # the monitors' own columns are untouched, and a later run keeps the handling
    after = handling_of(world.engine, alert_id)
    assert {k: after[k] for k in ("status", "severity", "subject_count", "amount_fen")} == {
        k: before[k] for k in ("status", "severity", "subject_count", "amount_fen")
    }
    run_monitors(world.engine, reference, as_of=AS_OF + timedelta(days=1))
    rerun = handling_of(world.engine, alert_id)
    assert (rerun["handling"], rerun["assigned_to_id"], rerun["handling_note"]) == (
        "closed",
        colleague,
        note,
    )


def test_acknowledge_assign_snooze_and_resolve_through_the_api(app_client, world, reference):
    colleague = add_inspector(world.engine, "inspector.b2", ["330300"])  # the whole city
    alert_id = alert_of(world.engine, world.employer_b)
    headers = bearer(app_client, "inspector.b")
    url = f"/api/alerts/{alert_id}"
    for action, body, handling in [
        ("acknowledge", None, "acknowledged"),
        ("assign", {"assignee_id": colleague}, "assigned"),
        ("snooze", {"until": tomorrow().isoformat()}, "snoozed"),
        ("resolve", {"note": "Paid in full; bank slips checked."}, "closed"),
    ]:
        response = app_client.post(f"{url}/{action}", json=body, headers=headers)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["handling"] == handling
        [entry] = audit_entries(world.engine, f"alert.{action}")
        assert entry.after["handling"] == handling and entry.employer_id == world.employer_b
    run_monitors(world.engine, reference, as_of=AS_OF + timedelta(days=2))
    state = handling_of(world.engine, alert_id)
    assert state["handling"] == "closed" and state["assigned_to_id"] == colleague
    assert state["handling_note"] == "Paid in full; bank slips checked."


def test_snoozing_into_the_past_is_refused_with_the_message_in_the_pages_language(
    app_client, world
):
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    url = f"/inspector/alerts/{alert_id}/snooze"
    chinese = client.post(url, data={"until": "2000-01-01"} | csrf_cookie(client))
    assert chinese.status_code == 422
    assert "暂缓日期必须晚于今天。" in chinese.text and 'value="2000-01-01"' in chinese.text
    client.get("/inspector/alerts?lang=en")  # the visitor switches to English
    english = client.post(url, data={"until": clock.today().isoformat()} | csrf_cookie(client))
    assert english.status_code == 422 and "The snooze date must be after today." in english.text
    garbled = client.post(url, data={"until": "next week"} | csrf_cookie(client))
    assert garbled.status_code == 422 and "That is not a date" in garbled.text

    api = client.post(
        f"/api/alerts/{alert_id}/snooze",
        json={"until": "2000-01-01"},
        headers=bearer(client, "inspector.a") | {"Accept-Language": "en"},
    )
    assert api.status_code == 422
    assert api.json() == {
        "error": "Invalid",
        "detail": [{"field": "until", "message": "The snooze date must be after today."}],
    }
    assert handling_of(world.engine, alert_id)["handling"] == "new"
    assert audit_entries(world.engine, "alert.snooze") == []


def test_an_alert_is_assigned_only_to_a_colleague_covering_the_employer(app_client, world):
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    elsewhere = user_id(world.engine, "inspector.b")  # Ouhai, not Lucheng
    response = client.post(
        f"/inspector/alerts/{alert_id}/assign",
        data={"assignee_id": str(elsewhere)} | csrf_cookie(client),
    )
    assert (
        response.status_code == 422 and "只能指派给负责该单位所在辖区的其他监察员" in response.text
    )
    api = client.post(
        f"/api/alerts/{alert_id}/assign",
        json={"assignee_id": elsewhere},
        headers=bearer(client, "inspector.a"),
    )
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "assignee_id"
    assert handling_of(world.engine, alert_id)["handling"] == "new"


def test_resolving_an_alert_needs_a_note(app_client, world):
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    response = client.post(
        f"/inspector/alerts/{alert_id}/resolve", data={"note": "  "} | csrf_cookie(client)
    )
    assert response.status_code == 422 and "请写明办结说明。" in response.text
    assert handling_of(world.engine, alert_id)["handling"] == "new"


def test_a_handling_form_without_the_csrf_token_is_refused(app_client, world):
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    assert client.post(f"/inspector/alerts/{alert_id}/acknowledge").status_code == 403
    assert client.post("/inspector/monitors/run").status_code == 403
    assert handling_of(world.engine, alert_id)["handling"] == "new"


@pytest.mark.parametrize("username", ["employer.a", "mediator"])
def test_only_inspectors_and_administrators_reach_the_inspector_side(app_client, world, username):
    alert_id = alert_of(world.engine, world.employer_a)
    headers = bearer(app_client, username)
    for path in ["/api/alerts", f"/api/alerts/{alert_id}", f"/api/employers/{world.employer_a}"]:
        assert app_client.get(path, headers=headers).status_code == 403
    assert app_client.post("/api/monitors/run", headers=headers).status_code == 403
    client = signed_in(app_client, username)
    assert client.get("/inspector/alerts").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app_client, world):
    assert app_client.get("/api/alerts").status_code == 401
    page = app_client.get("/inspector/alerts", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


# --- employers ----------------------------------------------------------------------------------


def test_the_employer_page_gathers_everything_about_one_employer(app_client, world):
    client = signed_in(app_client, "inspector.b")
    page = client.get(f"/inspector/employers/{world.employer_b}")
    assert page.status_code == 200
    html = page.text
    masked = WORKER_2[:6] + "********" + WORKER_2[-4:]
    assert NAME_B in html and EMPLOYER_B in html
    assert "高风险行业" in html and "须存工资保证金的行业" in html  # industry 4710
    assert masked in html and WORKER_2 not in html  # contracts
    assert "2026-02" in html and "¥6,800.00" in html and "¥3,400.00" in html  # payroll
    assert "瓯海大道改造工程" in html and "BOC-2026-0001" in html  # deposits
    assert "按项目参保" in html  # project-wide insurance in force
    assert "工资未足额支付" in html  # its alerts
    assert f"/inspector/employers/{world.employer_b}/audit" in html

    found = client.get(
        f"/api/employers/{world.employer_b}", headers=bearer(client, "inspector.b")
    ).json()
    assert found["employer"]["high_risk"] and found["employer"]["deposit_sector"]
    assert found["contracts"][0]["worker"] == masked and found["contracts"][0]["signed"]
    assert found["payroll"] == [
        {"period": "2026-02", "workers": 1, "due_fen": 680000, "paid_fen": 340000,
         "arrears_fen": 340000}
    ]  # fmt: skip
    [position] = found["positions"]
    assert position["project_code"] == "330302202401010001"
    assert position["balance_fen"] == 24000000
    assert position["required_fen"] > 0
    assert position["state"] in {"ok", "short"}
    assert [c["kind"] for c in found["coverage"]] == ["project"]
    assert found["alerts_total"] == count_alerts(world.engine, world.employer_b)


def test_a_leased_premises_employer_shows_its_employer_level_deposit(app_client, world):
    headers = bearer(app_client, "inspector.a")
    found = app_client.get(f"/api/employers/{world.employer_a}", headers=headers).json()
    assert not found["employer"]["high_risk"]
    [position] = found["positions"]
    assert position["obligation"] == "leased_premises" and position["project_id"] is None
    assert position["balance_fen"] == 5000000  # the guarantee, unexpired on the as-of day
    masked = WORKER_1[:6] + "********" + WORKER_1[-4:]
    assert [(c["kind"], c["worker"]) for c in found["coverage"]] == [("personal", masked)]


def test_the_employer_pages_deposits_agree_with_the_monitors_whole_snapshot(
    app_client, world, reference
):
    whole = deposit_positions(load_snapshot(world.engine, reference, AS_OF))
    headers = bearer(app_client, "admin")
    for employer_id in (world.employer_a, world.employer_b):
        found = app_client.get(f"/api/employers/{employer_id}", headers=headers).json()
        assert found["as_of"] == AS_OF.isoformat()  # the latest monitors run's day
        expected = whole[whole["employer_id"] == employer_id]
        got = {
            (p["required_fen"], p["balance_fen"], p["active_workers"]) for p in found["positions"]
        }
        assert got == {
            (int(r.required_fen), int(r.balance_fen), int(r.active_workers))
            for r in expected.itertuples()
        }


def test_an_employer_outside_the_jurisdiction_is_not_found(app_client, world):
    client = signed_in(app_client, "inspector.a")
    assert client.get(f"/inspector/employers/{world.employer_b}").status_code == 404
    assert client.get(f"/inspector/employers/{world.employer_b}/audit").status_code == 404
    headers = bearer(client, "inspector.a")
    assert client.get(f"/api/employers/{world.employer_b}", headers=headers).status_code == 404
    audit = client.get(f"/api/employers/{world.employer_b}/audit", headers=headers)
    assert audit.status_code == 404


def test_the_employer_search_finds_employers_in_scope_by_name_or_uscc(app_client, world):
    headers = bearer(app_client, "admin")

    def names(**params) -> list[str]:
        found = app_client.get("/api/employers", params=params, headers=headers).json()
        return [item["name"] for item in found["items"]]

    assert names() == sorted([NAME_A, NAME_B])
    assert names(q="瓯江") == [NAME_B]
    assert names(q=EMPLOYER_A.lower()) == [NAME_A]
    inspector = app_client.get("/api/employers", headers=bearer(app_client, "inspector.a")).json()
    assert [item["name"] for item in inspector["items"]] == [NAME_A]
    page = signed_in(app_client, "inspector.a").get("/inspector/employers?q=鹿城")
    assert page.status_code == 200 and NAME_A in page.text and NAME_B not in page.text


def test_the_employer_list_counts_open_alerts_without_a_subquery_per_row(app_client, world):
    """Paged with OFFSET, a per-row subquery ran for every skipped row too (24 s for the last
    page at scale): the page's counts come from one grouped query."""
    headers = bearer(app_client, "admin")
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    app_engine = app_client.app.state.engine
    event.listen(app_engine, "before_cursor_execute", record)
    try:
        found = app_client.get("/api/employers", headers=headers).json()
    finally:
        event.remove(app_engine, "before_cursor_execute", record)
    with world.engine.connect() as conn:
        expected = dict(
            conn.execute(
                text("SELECT employer_id, count(*) FROM alert WHERE status = 'open' GROUP BY 1")
            ).all()
        )
    assert {i["id"]: i["open_alerts"] for i in found["items"]} == {
        i["id"]: expected.get(i["id"], 0) for i in found["items"]
    }
    assert any(expected.values())
    paged = [s for s in statements if "LIMIT" in s.upper() and "FROM employer" in s]
    assert paged and not any("FROM alert" in s for s in paged)


def test_the_audit_trail_shows_who_changed_what_and_when(app_client, world):
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    client.post(
        f"/inspector/alerts/{alert_id}/resolve", data={"note": "已核实"} | csrf_cookie(client)
    )
    page = client.get(f"/inspector/employers/{world.employer_a}/audit")
    assert page.status_code == 200
    # the person by name (the world's display names are the user names), never the account label
    for shown in ("inspector.a", "办结预警", "已核实"):
        assert shown in page.text
    assert "inspector:inspector.a" not in page.text
    trail = client.get(
        f"/api/employers/{world.employer_a}/audit", headers=bearer(client, "inspector.a")
    ).json()
    [entry] = trail["items"]
    assert entry["action"] == "alert.resolve" and entry["entity_key"] == str(alert_id)
    assert entry["before"]["handling"] == "new" and entry["after"]["handling"] == "closed"
    # the employer page shows the latest entries too
    assert "办结预警" in client.get(f"/inspector/employers/{world.employer_a}").text


# --- run monitors now ---------------------------------------------------------------------------


def test_run_monitors_now_from_the_inbox_and_the_api(app_client, world):
    client = signed_in(app_client, "inspector.a")
    response = client.post(
        "/inspector/monitors/run", data=csrf_cookie(client), follow_redirects=False
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/inspector/alerts\?ran=1&run=\d+", location)
    inbox = client.get(location).text
    assert "监测已运行。" in inbox and f"截至 {clock.today().isoformat()}" in inbox
    [entry] = audit_entries(world.engine, "monitors.run")
    assert entry.actor_label == "inspector:inspector.a" and entry.after["trigger"] == "api"

    with world.engine.begin() as conn:  # one employer's records change the same day
        data_version.bump(conn, data_version.Changed.of([world.employer_a]))
    response = client.post(
        "/inspector/monitors/run", data=csrf_cookie(client), follow_redirects=False
    )
    again = client.get(response.headers["location"]).text
    assert re.search(r"只复查了受上次运行以来数据变化影响的 [12] 家用人单位", again)

    api = client.post("/api/monitors/run", headers=bearer(client, "admin"))
    assert api.status_code == 200
    assert api.json()["as_of"] == clock.today().isoformat() and api.json()["status"] == "succeeded"
    assert api.json()["reused_findings"] and not api.json()["incremental"]
    assert len(audit_entries(world.engine, "monitors.run")) == 3


def test_run_monitors_now_while_a_run_holds_the_lock_is_a_conflict(app_client, world):
    client = signed_in(app_client, "inspector.a")
    headers = bearer(client, "inspector.a")
    with monitor_lock(world.engine):
        page = client.post(
            "/inspector/monitors/run", data=csrf_cookie(client), follow_redirects=False
        )
        assert page.status_code == 409 and "监测正在运行中" in page.text
        api = client.post("/api/monitors/run?lang=en", headers=headers)
        assert api.status_code == 409
        assert api.json()["detail"].startswith("A monitors run is already in progress")
    assert audit_entries(world.engine, "monitors.run") == []
    assert client.post("/api/monitors/run", headers=headers).status_code == 200
