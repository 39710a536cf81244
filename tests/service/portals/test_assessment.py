"""The county assessment: the page, its XLSX and PDF read back, e-mail to the SMTP sink, the
monthly digest, and who may see and send what."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text

from service.audit.models import AuditEntry
from service.auth.service import create_user
from service.db import session_scope
from service.demo import generate_frames
from service.flows.assessment import Period, assess, send_monthly_digest
from service.notifications.models import OutboxMessage
from service.notifications.sender import deliver_due
from tests.conftest import shared_reference
from tests.factories import AS_OF
from tests.service.notifications.conftest import (  # noqa: F401 (the fixture)
    SmtpServer,
    mail_settings,
    smtp_server,
)
from tests.service.portals.browser import PHONE, screenshot, sign_in_page
from tests.service.portals.conftest import PASSWORD, bearer, sign_in

REPORT = f"/inspector/reports/assessment?year={AS_OF.year}"
CITY_INSPECTOR = "inspector.city"


def _city_inspector(world) -> None:
    with session_scope(world.engine) as session:
        create_user(
            session=session,
            actor=None,
            username=CITY_INSPECTOR,
            password=PASSWORD,
            role="inspector",
            display_name="温州市劳动监察支队",
            email="city@rsj.example.cn",
            scopes=["330300"],
        )


def test_the_assessment_scores_and_ranks_every_county(world):
    with world.engine.begin() as conn:
        found = assess(
            conn=conn, reference=shared_reference(), period=Period(AS_OF.year), today=AS_OF
        )
    by_code = {c.code: c for c in found.counties}
    assert {"330302", "330304"} <= by_code.keys()
    ouhai = by_code["330304"]
    # The world's one project, in Ouhai, holds its deposit; its worker is covered.
    deposit = ouhai.measured["deposit_coverage"]
    assert (deposit.numerator, deposit.denominator) in ((1, 1), (0, 0))
    ranked = [c for c in found.counties if c.rank is not None]
    assert [c.rank for c in ranked] == sorted(c.rank for c in ranked)
    assert all(0 <= (c.score or 0) <= 100 for c in ranked)


def test_a_quarter_ends_on_its_last_day():
    assert Period(2026, 1).end == date(2026, 3, 31)
    assert Period(2026, 4).end == date(2026, 12, 31)
    assert Period(2026, 2).start == date(2026, 4, 1)
    assert Period(2026).cut_off(date(2026, 11, 30)) == date(2026, 11, 30)


def test_a_county_inspector_sees_its_county_only(app_client, world):
    sign_in(app_client, "inspector.a")
    page = app_client.get(REPORT)
    assert page.status_code == 200
    assert 'id="county-330302"' in page.text
    assert 'id="county-330304"' not in page.text
    assert "应存工资保证金项目存储率" in page.text
    assert 'action="/inspector/reports/assessment/email"' not in page.text  # not the city's


def test_the_json_twin_gives_the_same_figures(app_client, world):
    response = app_client.get(
        f"/api/reports/assessment?year={AS_OF.year}", headers=bearer(app_client, "inspector.a")
    )
    assert response.status_code == 200
    body = response.json()
    assert [c["code"] for c in body["counties"]] == ["330302"]
    assert sum(i["weight"] for i in body["indicators"]) == 100
    assert {f["indicator_id"] for f in body["counties"][0]["figures"]} == {
        i["indicator_id"] for i in body["indicators"]
    }


def test_the_pdf_prints_the_report_in_chinese(app_client, world):
    sign_in(app_client, "admin")
    response = app_client.get(REPORT.replace("assessment?", "assessment.pdf?"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    extracted = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(extracted.split())
    for expected in ("鹿城区", "瓯海区", "县（市、区）", "应存工资保证金项目存储率", "第1页"):
        assert expected in compact, expected


def test_the_workbook_reads_back(app_client, world):
    sign_in(app_client, "inspector.a")
    response = app_client.get(REPORT.replace("assessment?", "assessment.xlsx?"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["得分与排名", "指标明细与依据", "指标与权重"]
    scores = list(workbook["得分与排名"].iter_rows(values_only=True))
    assert scores[0][:3] == ("名次", "县（市、区）", "总分")
    assert [row[1] for row in scores[1:]] == ["鹿城区"]  # inspector A's county only
    evidence = list(workbook["指标明细与依据"].iter_rows(values_only=True))
    assert len(evidence) == 1 + 8  # one row per indicator
    indicators = list(workbook["指标与权重"].iter_rows(values_only=True))
    assert sum(row[1] for row in indicators[1:]) == 100


def test_a_county_inspector_cannot_circulate_it(app_client, world):
    sign_in(app_client, "inspector.a")
    token = app_client.cookies.get("wg_csrf")
    response = app_client.post(
        "/inspector/reports/assessment/email",
        data={"year": "2026", "recipients": "leader@wenzhou.example.cn", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_a_town_inspector_cannot_read_it(app_client, world):
    with session_scope(world.engine) as session:
        create_user(
            session=session, actor=None, username="inspector.town", password=PASSWORD,
            role="inspector", display_name="五马街道", scopes=["330302/五马街道"],
        )  # fmt: skip
    sign_in(app_client, "inspector.town")
    assert app_client.get(REPORT).status_code == 403


def test_a_city_inspector_circulates_it_by_e_mail(app_client, world, smtp_server):  # noqa: F811
    _city_inspector(world)
    sign_in(app_client, CITY_INSPECTOR)
    page = app_client.get(REPORT)
    assert 'action="/inspector/reports/assessment/email"' in page.text
    token = app_client.cookies.get("wg_csrf")
    refused = app_client.post(
        "/inspector/reports/assessment/email",
        data={"year": "2026", "recipients": "not an address", "csrf_token": token},
    )
    assert refused.status_code == 422 and "无法识别的邮箱地址" in refused.text
    sent = app_client.post(
        "/inspector/reports/assessment/email",
        data={
            "year": "2026",
            "quarter": "4",
            "recipients": "leader@wenzhou.example.cn\nvice@wenzhou.example.cn",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("sent=2")
    settings = mail_settings(smtp_server.port)
    while app_client.portal.call(deliver_due, world.engine, settings, datetime.now(UTC)):
        pass
    received = {m.to: m for m in smtp_server.received if "考核" in m.subject}
    assert set(received) == {"leader@wenzhou.example.cn", "vice@wenzhou.example.cn"}
    mail = received["leader@wenzhou.example.cn"]
    assert "2026年第4季度" in mail.subject and "考核结果" in mail.subject
    assert "鹿城区" in mail.text and "瓯海区" in mail.text
    assert "/inspector/reports/assessment?year=2026&quarter=4" in mail.text
    with session_scope(world.engine) as session:
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "report.assessment.email")
        )
        assert entry is not None and entry.actor_label == f"inspector:{CITY_INSPECTOR}"
        assert entry.after["recipients"] == ["leader@wenzhou.example.cn", "vice@wenzhou.example.cn"]


def test_the_monthly_digest_goes_out_on_the_first_only_once(world):
    leaders = ["leader@wenzhou.example.cn"]
    digest = {
        "engine": world.engine, "reference": shared_reference(), "recipients": leaders,
        "base_url": "https://wageguard.test",
    }  # fmt: skip
    assert send_monthly_digest(today=date(2026, 12, 2), **digest) == 0
    assert send_monthly_digest(today=date(2026, 12, 1), **digest) == 1
    assert send_monthly_digest(today=date(2026, 12, 1), **digest) == 0  # queued already
    with session_scope(world.engine) as session:
        queued = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "assessment_report")
        ).all()
        assert [m.to_address for m in queued] == leaders
        assert "每月通报" in queued[0].subject and "2026年" in queued[0].subject


def test_the_demo_has_a_county_short_of_coordinators():
    frames = generate_frames(as_of=AS_OF)
    staffing = frames["coordinators"]
    per = 500
    required = -(-staffing["registered_migrants"].astype(int) // per)
    short = staffing[staffing["coordinators"].astype(int) < required]
    assert 1 <= len(short) < len(staffing)


def _coordinators(world) -> None:
    """Lucheng 100 coordinators short of one per 500 registered migrants; Ouhai staffed."""
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO county_coordinators (county_code, year, coordinators, "
                "registered_migrants) VALUES ('330302', :y, 700, 400000), "
                "('330304', :y, 150, 60000)"
            ),
            {"y": AS_OF.year},
        )


def test_a_staffing_shortfall_is_shown_with_its_counts(app_client, world):
    _coordinators(world)
    sign_in(app_client, "inspector.a")
    page = app_client.get(REPORT)
    assert "缺 100 人" in page.text
    assert (
        "在岗协管员 700 人；上年登记流动人口 400,000 人，按每 500 人 1 名应配 800 人" in page.text
    )


@pytest.mark.browser
def test_the_assessment_page_in_a_browser(browser, live_server, world, db_url):
    database = db_url.split(":")[0]
    _coordinators(world)
    for name, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", PHONE)):
        page = browser.new_page(viewport=viewport)
        sign_in_page(page, live_server, "admin", PASSWORD)
        page.goto(f"{live_server}{REPORT}")
        assert page.locator("table.ranking tbody tr").count() >= 2
        assert page.locator("#county-330302").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"assessment-{name}-{database}")
        page.close()
