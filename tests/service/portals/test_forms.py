"""Forms people can trust (issue 13, items 1, 6, 7, 9 and 11), through real HTTP:

- a form sent after its page expired comes back with everything typed and a message in the
  page's language, never as a refusal page (service/csrf.py);
- every money field reads "12,600", "120,000.00", "１２６００" and "¥12,600" (service/money.py);
- the town typed as "七都" is routed to 七都街道's committee (service/jurisdictions/towns.py);
- whoever is sent to a committee or a legal-aid centre gets its phone and address
  (data/mediation_contacts.csv, service/committees/contacts.py);
- the landing page's complaint button and the README's demo users.
"""

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from monitors.reference import ReferenceDataError
from service import clock
from service.app import create_app
from service.committees.contacts import contact_for, load_contacts
from service.committees.models import MediationCommittee
from service.complaints.models import Complaint
from service.config import PROJECT_ROOT, Settings
from service.csrf import CSRF_COOKIE, verify_csrf
from service.db import session_scope
from service.demo.users import DEMO_USERS
from service.jurisdictions.towns import matching_town
from service.notifications.models import OutboxMessage
from service.notifications.sender import queue_filed
from tests.factories import case_reference, complaint_in_world
from tests.service.portals._complaints import csrf_of
from tests.service.portals.conftest import sign_in
from tests.service.routes import every_route

EXPIRED = {
    "zh-CN": "页面已过期，请再提交一次",
    "en": "This page had expired; please submit it again",
}
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def client(world, tmp_path) -> Iterator[TestClient]:
    settings = Settings(database_url=world.db_url, upload_dir=tmp_path / "uploads")
    with TestClient(create_app(settings)) as client:
        yield client


def complaint_values(world, **changes: str) -> dict[str, str]:
    values = {
        "county_code": "330302",
        "employer_id": str(world.employer_a),
        "town": "五马街道",
        "period_from": "2026-08",
        "period_to": "2026-09",
        "amount_owed": "8500",
        "workers_affected": "3",
        "description": "老板拖欠两个月工资，说好的月底发一直没发。",
        "phone": "13812345678",
        "worker_name": "李四",
        "kind": "unpaid_wages",
    }
    return values | changes


def file_complaint(client: TestClient, world, lang: str = "zh-CN", **changes: str):
    token = csrf_of(client, f"/worker/complaint?lang={lang}")
    data = complaint_values(world, **changes) | {"csrf_token": token}
    return client.post("/worker/complaint", data=data)


def stored_complaint(world, tracking_code: str) -> Complaint:
    with session_scope(world.engine) as session:
        row = session.scalar(select(Complaint).where(Complaint.tracking_code == tracking_code))
        assert row is not None
        session.expunge(row)
        return row


def tracking_code_of(page_text: str) -> str:
    return re.search(r'id="tracking-code">(\w+)<', page_text).group(1)


def pin_of(page_text: str) -> str:
    return re.search(r'id="pin">(\d+)<', page_text).group(1)


def complaints_count(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM complaint")).scalar_one()


# --- 1. a form never loses what was typed ---------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_complaint_sent_after_its_page_expired_comes_back_with_everything_typed(
    client, world, lang
):
    csrf_of(client, f"/worker/complaint?lang={lang}")
    client.cookies.delete(CSRF_COOKIE)  # the phone's browser restarted: its cookie is gone
    values = complaint_values(world, amount_owed="12,600", worker_name="王小明")
    page = client.post("/worker/complaint", data=values | {"csrf_token": "from-the-old-page"})

    assert page.status_code == 403
    assert EXPIRED[lang] in page.text
    assert 'action="/worker/complaint"' in page.text  # the same form, not a refusal page
    for typed in ("老板拖欠两个月工资，说好的月底发一直没发。", "13812345678", "12,600", "王小明"):
        assert typed in page.text
    assert f'value="{world.employer_a}" checked' in page.text
    assert complaints_count(world) == 0

    # Sent again with the page's fresh token, as it is: filed.
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    again = client.post("/worker/complaint", data=values | {"csrf_token": token})
    assert again.status_code == 200, again.text
    assert stored_complaint(world, tracking_code_of(again.text)).amount_owed_fen == 1_260_000


def test_the_form_token_lasts_the_configured_hours_across_a_browser_restart(world):
    for hours, seconds in ((None, 12 * 3600), (36, 36 * 3600)):
        settings = Settings(database_url=world.db_url)
        if hours:
            settings = Settings(database_url=world.db_url, form_valid_hours=hours)
        with TestClient(create_app(settings)) as client:
            page = client.get("/worker/complaint")
            cookie = page.headers["set-cookie"]
            assert f"{CSRF_COOKIE}=" in cookie and f"Max-Age={seconds}" in cookie


def test_sign_in_after_the_page_expired_keeps_the_username_but_not_the_password(client, world):
    client.get("/login?lang=en")
    client.cookies.delete(CSRF_COOKIE)
    page = client.post(
        "/login",
        data={"username": "employer.a", "password": "secret-typed-once", "csrf_token": "old"},
    )
    assert page.status_code == 403 and EXPIRED["en"] in page.text
    assert 'value="employer.a"' in page.text and "secret-typed-once" not in page.text


def test_the_proof_form_after_its_page_expired_keeps_the_fields_and_asks_for_the_file(
    client, world
):
    sign_in(client, "employer.a")
    client.get("/employer/proofs/new")
    client.cookies.delete(CSRF_COOKIE)
    fields = {"kind": "receipt", "amount": "120,000.00", "event_date": "2026-11-20"}
    page = client.post(
        "/employer/proofs/new",
        data=fields | {"reference": "回单-2026-118", "csrf_token": "old"},
        files={"file": ("receipt.pdf", PDF, "application/pdf")},
    )
    assert page.status_code == 403 and EXPIRED["zh-CN"] in page.text
    assert 'value="120,000.00"' in page.text and 'value="回单-2026-118"' in page.text
    assert "请重新选择要上传的文件" in page.text


def test_the_mediators_outcome_after_its_page_expired_is_kept(client, world):
    case_id = case_reference(world, complaint_in_world(world).complaint_id)
    sign_in(client, "mediator")
    csrf_of(client, f"/mediator/cases/{case_id}")
    client.cookies.delete(CSRF_COOKIE)
    page = client.post(
        f"/mediator/cases/{case_id}/close",
        data={"outcome": "agreement", "agreement_amount": "8,000", "note": "双方同意分两次付清"},
    )
    assert page.status_code == 403 and EXPIRED["zh-CN"] in page.text
    assert 'value="8,000"' in page.text and "双方同意分两次付清</textarea>" in page.text


def test_an_inspectors_note_after_its_page_expired_is_kept_and_can_be_sent_again(client, world):
    sign_in(client, "inspector.a")
    with world.engine.connect() as conn:
        alert_id = conn.execute(
            text("SELECT MIN(id) FROM alert WHERE employer_id = :a"), {"a": world.employer_a}
        ).scalar_one()
    client.get(f"/inspector/alerts/{alert_id}")
    client.cookies.delete(CSRF_COOKIE)
    note = "已电话约谈企业负责人，承诺本周补发"
    page = client.post(
        f"/inspector/alerts/{alert_id}/resolve", data={"note": note, "csrf_token": "old"}
    )
    assert page.status_code == 403 and EXPIRED["zh-CN"] in page.text
    assert note in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    sent = client.post(
        f"/inspector/alerts/{alert_id}/resolve",
        data={"note": note, "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303


def form_routes(app) -> list[str]:
    return sorted(
        route.path
        for route in every_route(app.routes)
        if isinstance(route, APIRoute)
        and "POST" in route.methods
        and any(dep.call is verify_csrf for dep in route.dependant.dependencies)
    )


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_form_sent_after_its_page_expired_says_so_in_the_pages_language(client, world, lang):
    routes = form_routes(client.app)
    assert len(routes) >= 15
    for path in routes:
        url = path.replace("{alert_id}", "1").replace("{proof_id}", "1")
        url = url.replace("{complaint_id}", "1").replace("{user_id}", "1")
        client.cookies.delete(CSRF_COOKIE)
        page = client.post(f"{url}?lang={lang}", data={"note": "保留的说明", "csrf_token": "x"})
        assert page.status_code == 403, (path, page.status_code)
        assert EXPIRED[lang] in page.text, path
        assert 'name="csrf_token" value="' in page.text, path  # a fresh token to send again


# --- 6. one money parser --------------------------------------------------------------------


def test_the_proof_form_takes_thousands_separators_and_full_width_digits(client, world):
    sign_in(client, "employer.a")
    for typed, fen in (("120,000.00", 12_000_000), ("￥１２０，０００", 12_000_000)):
        token = csrf_of(client, "/employer/proofs/new")
        response = client.post(
            "/employer/proofs/new",
            data={"kind": "receipt", "amount": typed, "event_date": "2026-11-20"}
            | {"reference": f"R-{fen}-{len(typed)}", "csrf_token": token},
            files={"file": ("receipt.pdf", PDF, "application/pdf")},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        with world.engine.connect() as conn:
            stored = conn.execute(
                text("SELECT amount_fen FROM deposit_proof WHERE reference = :r"),
                {"r": f"R-{fen}-{len(typed)}"},
            ).scalar_one()
        assert stored == fen


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh-CN", "例如 200000、200,000.00 或 ¥200,000"), ("en", "e.g. 200000, 200,000.00")],
)
def test_a_proof_amount_that_is_not_one_gets_a_clear_message(client, world, lang, message):
    sign_in(client, "employer.a")
    token = csrf_of(client, f"/employer/proofs/new?lang={lang}")
    response = client.post(
        "/employer/proofs/new",
        data={"kind": "receipt", "amount": "12,60", "event_date": "2026-11-20"}
        | {"reference": "R-x", "csrf_token": token},
        files={"file": ("receipt.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 422 and message in response.text


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("¥12,600", 1_260_000), ("１２６００", 1_260_000), ("12 600.5 元", 1_260_050)],
)
def test_the_complaint_form_takes_money_as_people_type_it(client, world, typed, fen):
    page = file_complaint(client, world, amount_owed=typed)
    assert page.status_code == 200, page.text
    assert stored_complaint(world, tracking_code_of(page.text)).amount_owed_fen == fen


@pytest.mark.parametrize(
    ("lang", "message"), [("zh-CN", "例如 8500、12,600 或 ¥8,500.50"), ("en", "e.g. 8500, 12,600")]
)
def test_a_complaint_amount_that_is_not_one_gets_a_clear_message(client, world, lang, message):
    page = file_complaint(client, world, lang=lang, amount_owed="12,60")
    assert page.status_code == 422 and message in page.text


def test_the_mediators_agreement_amount_takes_separators(client, world):
    case_id = case_reference(world, complaint_in_world(world).complaint_id)
    sign_in(client, "mediator")
    due = (clock.today() + timedelta(days=10)).isoformat()
    for action, data in (
        ("accept", {}),
        (
            "close",
            {"outcome": "agreement", "agreement_amount": "８，５００", "payment_due_on": due},
        ),
    ):
        token = csrf_of(client, f"/mediator/cases/{case_id}")
        response = client.post(
            f"/mediator/cases/{case_id}/{action}",
            data=data | {"csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    with world.engine.connect() as conn:
        amount = conn.execute(
            text("SELECT outcome_amount_fen FROM complaint WHERE public_reference = :r"),
            {"r": case_id},
        ).scalar_one()
    assert amount == 850_000


# --- 7. town by list ------------------------------------------------------------------------


def add_committees(world) -> None:
    """七都街道's people's committee and Lucheng's county centre beside the world's 五马 one."""
    with session_scope(world.engine) as session:
        session.add(
            MediationCommittee(
                code="MC-LC-QD",
                name="七都街道人民调解委员会",
                kind="people",
                county_code="330302",
                town="七都街道",
            )
        )
        session.add(
            MediationCommittee(
                code="MC-LC-00",
                name="鹿城区劳动人事争议调解中心",
                kind="county_centre",
                county_code="330302",
            )
        )


def committee_of(world, tracking_code: str) -> str:
    complaint = stored_complaint(world, tracking_code)
    with session_scope(world.engine) as session:
        committee = session.get(MediationCommittee, complaint.committee_id)
        return committee.name if committee else ""


def test_the_complaint_form_lists_the_towns_of_each_county(client):
    page = client.get("/worker/complaint").text
    lucheng = page.split('data-county="330302"')[1].split("</optgroup>")[0]
    assert '<option value="七都街道"' in lucheng and '<option value="五马街道"' in lucheng
    assert 'id="town_other"' in page  # a town not in the list can still be typed
    assert '<script src="/static/js/towns.js"' in page


@pytest.mark.parametrize(
    ("listed", "typed"),
    [("七都街道", ""), ("", "七都"), ("", "七都镇"), ("", "鹿城区七都街道办事处"), ("", "Qidu")],
)
def test_qidu_as_chosen_or_typed_goes_to_the_towns_committee(client, world, listed, typed):
    add_committees(world)
    page = file_complaint(client, world, town=listed, town_other=typed)
    assert page.status_code == 200, page.text
    code = tracking_code_of(page.text)
    assert stored_complaint(world, code).town == "七都街道"
    assert committee_of(world, code) == "七都街道人民调解委员会"


def test_a_town_the_county_does_not_have_goes_to_the_county_centre(client, world):
    add_committees(world)
    page = file_complaint(client, world, town="", town_other="不存在的镇")
    code = tracking_code_of(page.text)
    assert committee_of(world, code) == "鹿城区劳动人事争议调解中心"


def test_typed_town_variants_match_one_town_or_none(world):
    with session_scope(world.engine) as session:
        assert matching_town(session, "330302", "七都") == "七都街道"
        assert matching_town(session, "330302", "七都街道") == "七都街道"
        assert matching_town(session, "330302", " 七 都 镇 ") == "七都街道"
        assert matching_town(session, "330302", "温州市鹿城区七都") == "七都街道"
        assert matching_town(session, "330302", "qidu subdistrict") == "七都街道"
        assert matching_town(session, "330304", "七都") is None  # not a town of Ouhai
        assert matching_town(session, "330302", "") is None


# --- 9. who to call -------------------------------------------------------------------------


def test_the_worker_gets_the_committees_phone_and_address_on_the_receipt_and_the_status(
    client, world
):
    receipt = file_complaint(client, world)
    assert receipt.status_code == 200
    assert 'href="tel:12348"' in receipt.text and "请打电话询问办公地址" in receipt.text
    assert "如何联系五马街道人民调解委员会" in receipt.text
    code, pin = tracking_code_of(receipt.text), pin_of(receipt.text)
    token = csrf_of(client, "/worker/track")
    status = client.post(
        "/worker/track", data={"tracking_code": code, "pin": pin, "csrf_token": token}
    )
    assert status.status_code == 200
    contact = status.text.split('id="committee-contact"')[1].split("</ul>")[0]
    assert 'href="tel:12348"' in contact and "地址：请打电话询问办公地址" in contact
    legal_aid = status.text.split('id="legal-aid"')[1].split("</div>")[0]
    assert "12348" in legal_aid and "地址：" in legal_aid
    api = client.post("/api/complaints/status", json={"tracking_code": code, "pin": pin})
    assert api.json()["committee_contact"]["phone"] == "12348"


def test_the_employer_is_told_how_to_reach_the_committee_on_its_page_and_by_e_mail(client, world):
    complaint_in_world(world, disclose_identity=True)
    queue_filed(world.engine, Settings())
    sign_in(client, "employer.a")
    page = client.get("/employer/complaints")
    assert 'id="committee-contact-1"' in page.text and 'href="tel:12348"' in page.text
    with session_scope(world.engine) as session:
        bodies = session.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.kind == "employer_complaint_notice")
        ).all()
    assert bodies and all("调解组织电话：12348" in body for body in bodies)


def test_a_county_centre_gives_the_labour_hotline_and_an_enterprise_committee_its_e_mail():
    centre = MediationCommittee(
        code="C", name="鹿城区劳动人事争议调解中心", kind="county_centre", county_code="330302"
    )
    assert contact_for(centre).phone == "12333" and not contact_for(centre).phone_is_direct
    assert contact_for(centre).address_zh is None  # not known: the page says to ask by phone
    enterprise = MediationCommittee(
        code="E",
        name="某公司劳动争议调解委员会",
        kind="enterprise",
        county_code="330302",
        employer_id=1,
        contact_email="hr@example.org",
    )
    assert contact_for(enterprise).phone is None
    assert contact_for(enterprise).email == "hr@example.org"


# --- 11. first minutes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "button", "staff"),
    [("zh-CN", "我要投诉", "工作人员登录"), ("en", "File a wage complaint", "Staff sign-in")],
)
def test_the_landing_page_has_a_complaint_button_beside_the_staff_sign_in(
    client, lang, button, staff
):
    page = client.get(f"/?lang={lang}").text
    doors = page.split('class="doors"')[1].split("</div>")[0]
    assert 'id="file-complaint" href="/worker/complaint"' in doors and button in doors
    assert 'id="staff-sign-in" href="/login"' in doors and staff in doors
    assert doors.index("file-complaint") < doors.index("staff-sign-in")


def test_the_readme_lists_every_demo_user_with_its_password():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for user in DEMO_USERS:
        assert re.search(
            rf"\| `{re.escape(user.username)}` \| `{re.escape(user.password)}` \|", readme
        )


def test_a_contact_row_without_a_direct_line_must_give_a_known_hotline(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    path = data / "mediation_contacts.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",12348,false,", ",12345,false,"),
        encoding="utf-8",
    )
    with pytest.raises(ReferenceDataError, match="12345 is not a direct line"):
        load_contacts(data)
