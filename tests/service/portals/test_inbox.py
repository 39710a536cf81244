"""The inspector's inbox shows what needs action: the default view leaves out what is closed,
cleared or snoozed; each alert has one plain state, a deadline and an age; each handling is
confirmed and the buttons follow it; the city-wide view names each alert's county; the
money column sorts; and a page costs the same few queries however many alerts there are."""

import re
from datetime import date

from sqlalchemy import event, text

from monitors.calendar import default_calendar
from service import clock
from tests.service.portals.conftest import bearer, csrf_cookie, signed_in
from tests.service.portals.test_inspector import add_alerts, add_inspector, alert_of, tomorrow


def listed(client, username: str, **params) -> dict[int, dict]:
    found = client.get("/api/alerts", params=params, headers=bearer(client, username))
    assert found.status_code == 200, found.text
    return {item["id"]: item for item in found.json()["items"]}


def row_of(html: str, alert_id: int) -> str:
    """The inbox's table row of one alert."""
    pattern = rf'<tr>\s*<td[^>]*>.*?href="/inspector/alerts/{alert_id}".*?</tr>'
    match = re.search(pattern, html, re.S)
    assert match, f"alert {alert_id} is not listed"
    return match.group(0)


def test_a_closed_alert_leaves_the_default_needs_action_view(app_client, world):
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    inbox = client.get("/inspector/alerts").text
    assert 'value="needs_action" selected' in inbox and "待处理" in row_of(inbox, alert_id)
    client.post(
        f"/inspector/alerts/{alert_id}/resolve",
        data={"note": "已补发，核实无误。"} | csrf_cookie(client),
        follow_redirects=False,
    )
    assert f'href="/inspector/alerts/{alert_id}"' not in client.get("/inspector/alerts").text
    assert alert_id not in listed(app_client, "inspector.a")
    closed = client.get("/inspector/alerts?status=closed").text
    # one plain state: never "未解除 · 已办结"
    assert "已办结" in row_of(closed, alert_id)
    assert "未解除" not in row_of(closed, alert_id)
    assert alert_id in listed(app_client, "inspector.a", status="all")
    assert listed(app_client, "inspector.a", status="all")[alert_id]["state"] == "closed"


def test_snoozed_and_cleared_alerts_do_not_need_action(app_client, world):
    first, second = sorted(listed(app_client, "admin"))[:2]
    headers = bearer(app_client, "admin")
    until = tomorrow().isoformat()
    assert app_client.post(
        f"/api/alerts/{first}/snooze", json={"until": until}, headers=headers
    ).is_success
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE alert SET status = 'resolved' WHERE id = :i"), {"i": second})
    needs_action = listed(app_client, "admin")
    assert first not in needs_action and second not in needs_action
    everything = listed(app_client, "admin", status="all", handling="")
    assert everything[second]["state"] == "cleared"
    assert listed(app_client, "admin", handling="snoozed")[first]["state"] == "snoozed"


def test_each_alert_shows_its_investigation_deadline_and_age(app_client, world, reference):
    items = listed(app_client, "admin")
    today = clock.today()
    days = int(reference.value("inspection_investigation_working_days"))
    for item in items.values():
        first_seen = date.fromisoformat(item["first_seen"])
        due = default_calendar().add_working_days(first_seen, days)
        assert item["deadline"] == due.isoformat()
        assert item["age_days"] == max((today - first_seen).days, 0)
        assert item["overdue"] == (due < today)
    some = next(iter(items.values()))
    html = signed_in(app_client, "admin").get("/inspector/alerts").text
    row = row_of(html, some["id"])
    assert f"已发现 {some['age_days']} 天" in row
    assert some["deadline"] in row and ("前办结" in row or "已超期" in row)
    english = app_client.get("/inspector/alerts?lang=en").text
    assert f"Found {some['age_days']} days ago" in row_of(english, some["id"])


def test_an_overdue_alert_is_marked_overdue(app_client, world):
    add_alerts(world.engine, world.employer_a, 1)  # first seen in 2020: long overdue
    client = signed_in(app_client, "inspector.a")
    old = [i for i in listed(app_client, "inspector.a").values() if i["first_seen"] < "2021"]
    assert old and old[0]["overdue"]
    row = row_of(client.get("/inspector/alerts").text, old[0]["id"])
    assert 'class="overdue"' in row and "已超期" in row


def test_each_handling_is_confirmed_and_the_buttons_follow_what_was_done(app_client, world):
    colleague = add_inspector(world.engine, "inspector.a2", ["330302"])
    alert_id = alert_of(world.engine, world.employer_a)
    client = signed_in(app_client, "inspector.a")
    url = f"/inspector/alerts/{alert_id}"

    def forms(html: str) -> set[str]:
        return set(re.findall(rf'action="{url}/(\w+)"', html))

    assert forms(client.get(url).text) == {"acknowledge", "assign", "snooze", "resolve"}
    steps = [
        ("acknowledge", {}, "已确认此预警", {"assign", "snooze", "resolve"}),
        ("assign", {"assignee_id": str(colleague)}, "已指派给inspector.a2",
         {"assign", "snooze", "resolve"}),
        ("snooze", {"until": tomorrow().isoformat()}, f"已暂缓至 {tomorrow().isoformat()}",
         {"acknowledge", "assign", "snooze", "resolve"}),
        ("resolve", {"note": "已处理完毕。"}, "已办结", {"acknowledge"}),
    ]  # fmt: skip
    for action, data, confirmation, offered in steps:
        form = data | csrf_cookie(client)
        page = client.post(f"{url}/{action}", data=form, follow_redirects=True)
        assert page.status_code == 200 and page.url.path == url
        assert page.url.query.decode() == f"done={action}"
        status = re.search(r'<p class="card ok" role="status" id="done">(.*?)</p>', page.text, re.S)
        assert status and confirmation in status.group(1), action
        assert forms(page.text) == offered, action
    closed = client.get(url).text
    assert "重新处理" in closed and "确认预警（开始处理）" not in closed
    english = client.get(f"{url}?done=resolve&lang=en").text
    assert "Closed: this alert no longer appears" in english and "Take up again" in english
    assert client.get(f"{url}?done=delete").status_code == 422


def test_the_city_wide_view_names_each_alerts_county(app_client, world):
    admin = signed_in(app_client, "admin").get("/inspector/alerts").text
    assert "<th>区县</th>" in admin
    a = row_of(admin, alert_of(world.engine, world.employer_a))
    b = row_of(admin, alert_of(world.engine, world.employer_b))
    assert re.search(r'<td class="county"[^>]*>鹿城区</td>', a)
    assert re.search(r'<td class="county"[^>]*>瓯海区</td>', b)
    assert "330302" not in re.sub(r"<small.*?</small>", "", a)  # the USCC aside, no codes
    english = app_client.get("/inspector/alerts?lang=en").text
    lucheng = row_of(english, alert_of(world.engine, world.employer_a))
    assert re.search(r'<td class="county"[^>]*>Lucheng District</td>', lucheng)
    # an inspector of one county needs no county column
    one = signed_in(app_client, "inspector.a").get("/inspector/alerts").text
    assert "<th>区县</th>" not in one


def test_the_money_heading_sorts_by_money_at_stake(app_client, world):
    add_alerts(world.engine, world.employer_a, 30)
    client = signed_in(app_client, "admin")
    inbox = client.get("/inspector/alerts").text
    link = re.search(r'<a href="\?([^"]*sort=amount[^"]*)"', inbox)
    assert link, "the amount heading links to the money sort"
    by_money = client.get("/inspector/alerts?" + link.group(1).replace("&amp;", "&")).text
    assert 'aria-sort="descending"' in by_money
    amounts = [
        float(a.replace(",", ""))
        for a in re.findall(r'<td class="num"[^>]*>¥([\d,]+\.\d\d)</td>', by_money)
    ]
    assert amounts == sorted(amounts, reverse=True) and len(amounts) > 10


def test_an_inbox_page_costs_the_same_few_queries_however_many_alerts(app_client, world):
    client = signed_in(app_client, "admin")
    engine = app_client.app.state.engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/inspector/alerts?status=all").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    add_alerts(world.engine, world.employer_a, 120)
    many = queries()
    assert many == few and many < 20, statements
    paged = [s for s in statements if "LIMIT" in s.upper()]
    assert paged, "the page is cut in SQL"
