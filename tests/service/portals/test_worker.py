"""The worker's front door: anonymous, plain language, Chinese first, phone-sized."""

import re

import pytest

from service.committees.models import MediationCommittee
from service.db import session_scope
from tests.service.portals.browser import PHONE, screenshot
from tests.service.portals.conftest import sign_in

LUCHENG_BASIS_ZH = "《中华人民共和国劳动法》第四十八条"
LUCHENG_BASIS_EN = "Labour Law of the PRC, Art. 48"


def add_county_centre(world) -> None:
    with session_scope(world.engine) as session:
        session.add(
            MediationCommittee(
                code="TJ33030200",
                name="鹿城区劳动人事争议调解中心",
                kind="county_centre",
                county_code="330302",
                contact_email="centre@example.org",
            )
        )


def lucheng_row(html: str) -> str:
    row = re.search(r"<tr>\s*<td>(鹿城区|Lucheng District)</td>.*?</tr>", html, re.S)
    assert row, "no Lucheng row in the minimum-wage table"
    return row.group(0)


def test_the_front_door_is_in_chinese_by_default_with_lucheng_minimum_wage(app_client, world):
    page = app_client.get("/worker")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "被欠薪了？" in page.text and "您的权利" in page.text and "免费帮助" in page.text
    assert "2,490 元" in lucheng_row(page.text) and "24 元" in lucheng_row(page.text)
    assert "自 2024-01-01 起执行" in page.text
    assert LUCHENG_BASIS_ZH in page.text


def test_the_front_door_is_in_english_with_lang_en_and_remembers_it(app_client, world):
    page = app_client.get("/worker?lang=en")
    assert '<html lang="en">' in page.text
    assert "Not paid?" in page.text and "Your rights" in page.text and "Free help" in page.text
    assert "CNY 2,490" in lucheng_row(page.text)
    assert "In force since 2024-01-01" in page.text and LUCHENG_BASIS_EN in page.text
    assert "Not paid?" in app_client.get("/worker").text  # the cookie remembers the choice


def test_the_front_door_follows_accept_language(app_client, world):
    page = app_client.get("/worker", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.text and "Not paid?" in page.text
    assert "被欠薪了？" in app_client.get("/worker", headers={"Accept-Language": "zh"}).text


def test_the_front_door_links_the_complaint_and_the_hotlines(app_client, world):
    page = app_client.get("/worker").text
    assert 'href="/worker/complaint"' in page
    assert 'href="tel:12333"' in page and 'href="tel:12348"' in page
    assert "法律援助绿色通道" in page and "《中华人民共和国法律援助法》第四十二条" in page
    assert "《中华人民共和国劳动合同法》第十条" in page and "第八十二条" in page
    assert "《中华人民共和国劳动法》第五十条" in page and "《工伤保险条例》第十条" in page
    assert "《中华人民共和国劳动合同法》第十九条" in page


def test_the_rights_figures_come_from_the_reference_data(app_client, world, reference):
    page = app_client.get("/worker?lang=en").text
    months = reference.value("written_contract_deadline_months")
    assert f"Within {months} month(s) of your first day" in page
    assert f"up to {reference.value('double_wage_max_months')} months" in page
    assert f"at most {reference.value('probation_max_months_3y_plus')} months" in page


def test_the_front_door_has_a_viewport_and_no_form_or_personal_data(app_client, world):
    page = app_client.get("/worker").text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<form" not in page and "<input" not in page and "<script" not in page
    assert "张三" not in page and "hr@shoes.example.cn" not in page


def test_the_county_mediation_centres_are_listed_by_name_and_county(app_client, world):
    assert "调解中心名单还没有录入" in app_client.get("/worker").text
    add_county_centre(world)
    page = app_client.get("/worker").text
    assert "鹿城区劳动人事争议调解中心" in page and "centre@example.org" not in page
    assert "五马街道人民调解委员会" not in page  # a people's committee is not a county centre


def test_signed_in_staff_see_the_same_front_door(app_client, world):
    sign_in(app_client, "inspector.a")
    assert "被欠薪了？" in app_client.get("/worker").text


def test_the_rights_api_lists_minimum_wages_with_legal_basis_and_help(app_client, world):
    add_county_centre(world)
    response = app_client.get("/api/worker/rights")
    assert response.status_code == 200
    body = response.json()
    lucheng = next(w for w in body["minimum_wages"] if w["county_code"] == "330302")
    assert lucheng["monthly_fen"] == 249000 and lucheng["hourly_fen"] == 2400
    assert lucheng["valid_from"] == "2024-01-01"
    assert LUCHENG_BASIS_ZH in lucheng["legal_basis_zh"]
    assert LUCHENG_BASIS_EN in lucheng["legal_basis_en"]
    assert len(body["minimum_wages"]) == 12  # every county of Wenzhou
    assert {h["phone"] for h in body["help"]} >= {"12333", "12348"}
    assert {r["id"] for r in body["rights"]} >= {"contract", "wages", "injury", "probation"}
    assert all(r["legal_basis_zh"] and r["legal_basis_en"] for r in body["rights"])
    assert body["mediation_centres"] == [
        {
            "code": "TJ33030200",
            "name": "鹿城区劳动人事争议调解中心",
            "county_code": "330302",
            "county_zh": "鹿城区",
            "county_en": "Lucheng District",
        }
    ]


def test_the_rights_api_is_in_the_openapi_document(app_client, world):
    paths = app_client.get("/openapi.json").json()["paths"]
    assert "/api/worker/rights" in paths and "/worker" not in paths


@pytest.mark.browser
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_front_door_fits_a_phone_in_both_languages(browser, live_server, db_url, language):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server}/worker?lang={language}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    complain = page.locator("a.primary").bounding_box()
    assert complain["height"] >= 44 and complain["width"] >= PHONE["width"] * 0.8
    assert page.locator("a[href='tel:12333']").bounding_box()["height"] >= 44
    screenshot(page, f"worker-{language}-{db_url.split(':')[0]}")
    page.close()
