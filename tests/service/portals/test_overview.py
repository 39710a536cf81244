"""The supervision overview and its JSON twin, on both databases: read from the summaries the
monitors run stored; scoped (city → counties, county → its towns, no other county); the
supervisor sees it and can act on nothing; every chart is a table, the page works without
JavaScript, Chinese first with names, not codes."""

import re

from sqlalchemy import text

from service import data_version
from service.flows.monitor_runs import check_employer, run_monitors
from tests.factories import AS_OF
from tests.service.portals.conftest import bearer, signed_in, visible_text

LUCHENG, OUHAI, CITY = "330302", "330304", "330300"
EMPLOYER_A_NAME = "温州鹿城鞋业有限公司"


def test_the_monitors_run_stores_a_summary_for_the_city_every_county_and_the_towns(world):
    with world.engine.connect() as conn:
        run = conn.execute(text("SELECT max(id) FROM monitor_run")).scalar_one()
        levels = dict(
            conn.execute(
                text("SELECT level, count(*) FROM place_summary WHERE run_id = :r GROUP BY level"),
                {"r": run},
            ).all()
        )
        employers = conn.execute(
            text("SELECT employers FROM place_summary WHERE run_id = :r AND place_code = :c"),
            {"r": run, "c": CITY},
        ).scalar_one()
        on_record = conn.execute(text("SELECT count(*) FROM employer")).scalar_one()
        open_alerts = conn.execute(
            text(
                "SELECT alerts_critical + alerts_high + alerts_medium + alerts_low "
                "FROM place_summary WHERE run_id = :r AND place_code = :c"
            ),
            {"r": run, "c": CITY},
        ).scalar_one()
        really_open = conn.execute(
            text("SELECT count(*) FROM alert WHERE status = 'open'")
        ).scalar_one()
    assert levels["city"] == 1 and levels["county"] == 12 and levels["town"] >= 1
    assert employers == on_record
    assert open_alerts == really_open > 0


def test_a_city_wide_administrator_sees_every_county(app_client, world):
    overview = app_client.get("/api/overview", headers=bearer(app_client, "admin")).json()
    assert overview["scope"]["code"] == CITY
    assert len(overview["places"]) == 12 and len(overview["map_places"]) == 12
    assert {p["level"] for p in overview["places"]} == {"county"}
    assert len(overview["months"]) == 12
    names = [p["name"] for p in overview["places"]]
    assert "鹿城区" in names and "龙港市" in names


def test_a_county_inspector_sees_its_county_by_town_and_no_other_county(app_client, world):
    headers = bearer(app_client, "inspector.a")
    overview = app_client.get("/api/overview", headers=headers).json()
    assert overview["county"] == LUCHENG and overview["level"] == "town"
    assert [p["code"] for p in overview["map_places"]] == [LUCHENG]
    assert overview["places"] and all(p["county_code"] == LUCHENG for p in overview["places"])
    assert all(e["county_code"] == LUCHENG for e in overview["top_employers"])
    assert app_client.get(f"/api/overview?county={OUHAI}", headers=headers).status_code == 403
    page = signed_in(app_client, "inspector.a")
    assert page.get(f"/inspector/overview?county={OUHAI}").status_code == 403
    assert "瓯海区" not in visible_text(page.get("/inspector/overview").text)


def test_a_city_inspector_chooses_a_county_to_see_its_towns(app_client, world):
    overview = app_client.get(
        f"/api/overview?county={OUHAI}", headers=bearer(app_client, "admin")
    ).json()
    assert overview["scope"]["code"] == OUHAI and overview["level"] == "town"
    assert all(p["county_code"] == OUHAI for p in overview["places"])


def test_the_supervisor_sees_the_overview_of_its_scope_and_acts_on_nothing(app_client, world):
    client = signed_in(app_client, "supervisor")
    page = client.get("/inspector/overview")
    assert page.status_code == 200
    text_shown = visible_text(page.text)
    assert "鹿城区" in text_shown and "瓯海区" not in text_shown
    # Names, not links into files a supervisor cannot open; no inspector menu.
    assert 'href="/inspector/employers/' not in page.text
    assert 'href="/inspector/alerts"' not in page.text
    assert client.get("/inspector/alerts").status_code == 403
    assert client.get(f"/inspector/overview?county={OUHAI}").status_code == 403
    with world.engine.connect() as conn:
        alert = conn.execute(
            text("SELECT id FROM alert WHERE employer_id = :e"), {"e": world.employer_a}
        ).scalar()
    headers = bearer(app_client, "supervisor")
    refused = app_client.post(f"/api/alerts/{alert}/acknowledge", headers=headers)
    assert refused.status_code == 403
    assert app_client.post("/api/monitors/run", headers=headers).status_code == 403


def test_every_chart_is_a_table_and_the_map_rows_link_to_their_county(app_client, world):
    page = signed_in(app_client, "admin").get("/inspector/overview?indicator=arrears_fen").text
    assert page.count('data-chart="') == 4  # map, alerts, arrears, complaints
    for chart in re.findall(r'<figure class="chart".*?</figure>', page, flags=re.S):
        assert "<table>" in chart and "<tbody>" in chart
    map_rows = re.findall(r'<tr data-region="(\d+)"><th scope="row"><a href="([^"]+)">', page)
    assert len(map_rows) == 12
    assert all(f"county={code}" in href for code, href in map_rows)
    assert "chart-unmapped-note" in page  # 龙港市: its row stays, the note says why
    assert "/static/js/charts.js" in page and "<script>" not in page
    assert 'option value="arrears_fen" selected' in page


def test_the_highest_risk_employers_link_to_their_files_for_inspectors(app_client, world):
    page = signed_in(app_client, "inspector.a").get("/inspector/overview").text
    assert f'href="/inspector/employers/{world.employer_a}">{EMPLOYER_A_NAME}</a>' in page


def test_the_chinese_page_has_no_english_words_or_internal_codes(app_client, world):
    shown = visible_text(signed_in(app_client, "admin").get("/inspector/overview?lang=zh-CN").text)
    english = re.findall(r"[A-Za-z]{3,}", shown)
    # admin: a user name; CSV and Excel: the export formats, named so in Chinese too
    assert set(english) <= {"WageGuard", "English", "admin", "CSV", "Excel"}, english
    assert not re.search(r"\b(red|orange|yellow|green|open_alerts|arrears_fen)\b", shown)


def test_the_english_page_says_it_in_english(app_client, world):
    page = signed_in(app_client, "admin").get("/inspector/overview?lang=en").text
    assert "Supervision overview" in page and "Lucheng" in page


def test_the_page_says_when_later_runs_checked_only_some_employers(app_client, world, reference):
    client = signed_in(app_client, "admin")
    assert "只复查了部分用人单位" not in visible_text(client.get("/inspector/overview").text)
    check_employer(world.engine, reference, employer_id=world.employer_a, as_of=AS_OF)
    with world.engine.begin() as conn:  # one employer's records change the same day
        data_version.bump(conn, data_version.Changed.of([world.employer_b]))
    assert run_monitors(world.engine, reference, as_of=AS_OF).evaluated is not None
    page = visible_text(client.get("/inspector/overview").text)
    assert "此后又有 2 次监测只复查了部分用人单位" in page
    english = client.get("/inspector/overview?lang=en").text
    assert "Since then 2 monitors runs checked some employers again" in english
    run_monitors(world.engine, reference, as_of=AS_OF, reuse=False)  # summarised again
    assert "只复查了部分用人单位" not in visible_text(client.get("/inspector/overview").text)
