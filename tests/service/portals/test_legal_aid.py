"""Legal aid online, through real HTTP on both databases: applied for from a case's status page
(prefilled) or from the front door (its own code and PIN), routed to the county's legal-aid
centre and e-mailed to it, decided by the centre (or the county's inspectors where the centre
has no account), and the decision shown to the worker. Art. 42: wages and work-injury claims are
not asked for a statement of hardship; other matters are."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from service.app import create_app
from service.audit.models import AuditEntry
from service.auth.actors import Actor
from service.auth.models import User
from service.auth.service import create_user
from service.config import Settings
from service.db import session_scope
from service.legal_aid.models import LegalAidApplication
from service.notifications.models import OutboxMessage
from service.notifications.sender import deliver_due
from service.users import service as users
from service.users.models import UserUpdate
from tests.factories import PASSWORD, case_reference, complaint_in_world, valid_id_number
from tests.service.notifications.conftest import (  # noqa: F401 (the fixture)
    mail_settings,
    smtp_server,
)
from tests.service.portals._complaints import case_pass, csrf, csrf_of, status_page
from tests.service.portals.conftest import bearer, sign_in

ID_NUMBER = valid_id_number()
ADMIN = Actor(user_id=None, username="admin", role="admin")


@pytest.fixture
def client(world) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=world.db_url))) as client:
        yield client


@pytest.fixture
def addresses(world) -> dict[str, str]:
    """The centres' and inspectors' accounts get addresses (the world's have none), and
    Longwan (330303), whose centre has no account, an inspector of its own."""
    with session_scope(world.engine) as session:
        create_user(
            session=session,
            actor=None,
            username="inspector.longwan",
            password=PASSWORD,
            role="inspector",
            display_name="龙湾区劳动监察员",
            scopes=["330303"],
        )
        names = ("legal_aid.a", "legal_aid.b", "inspector.a", "inspector.longwan")
        for name in names:
            session.execute(
                update(User).where(User.username == name).values(email=f"{name}@example.cn")
            )
    return {name: f"{name}@example.cn" for name in names}


def form_values(page) -> dict[str, str]:
    """The form's inputs as the page filled them in (text inputs, textareas, hidden fields)."""
    values = dict(
        re.findall(
            r'<input type="(?:text|tel|hidden)" [^>]*?name="([^"]+)"[^>]*? value="([^"]*)"',
            page.text,
        )
    )
    values |= dict(re.findall(r'name="([^"]+)"[^>]*>([^<]*)</textarea>', page.text))
    selected = re.search(r'<option value="([^"]+)" selected>', page.text)
    if selected:
        values["county_code"] = selected.group(1)
    return values


def applications(world) -> list[LegalAidApplication]:
    with session_scope(world.engine) as session:
        rows = list(session.scalars(select(LegalAidApplication).order_by(LegalAidApplication.id)))
        session.expunge_all()
        return rows


def outbox(world, kind: str = "legal_aid_application") -> list[OutboxMessage]:
    with session_scope(world.engine) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
            )
        )
        session.expunge_all()
        return rows


def apply_from_case(client: TestClient, world, filed, **changes: str):
    page = status_page(client, filed.tracking_code, filed.pin)
    form = client.post(
        "/worker/track/legal-aid", data={"csrf_token": csrf(page), "case_pass": case_pass(page)}
    )
    assert form.status_code == 200, form.text
    values = form_values(form) | {"id_number": ID_NUMBER} | changes
    return form, client.post("/worker/legal-aid", data=values)


def apply_alone(client: TestClient, matter: str = "unpaid_wages", **changes: str):
    page = client.get(f"/worker/legal-aid?matter={matter}")
    values = {
        "csrf_token": csrf(page),
        "matter": matter,
        "applicant_name": "王五",
        "phone": "13700000003",
        "id_number": ID_NUMBER,
        "county_code": "330302",
        "amount": "6000",
        "employer_text": "某建筑公司",
        "account": "工地干了半年，包工头跑了。",
    } | changes
    return page, client.post("/worker/legal-aid", data=values)


def test_from_the_status_page_the_form_is_prefilled_from_the_complaint(client, world, addresses):
    filed = complaint_in_world(world)

    form, sent = apply_from_case(client, world, filed)

    values = form_values(form)
    assert (values["applicant_name"], values["phone"]) == ("张三", "13800000001")
    assert values["county_code"] == "330302" and values["amount"] == "12000"
    assert "拖欠了我两个月的工资" in values["account"]
    assert values["id_number"] == ""  # asked, never filled in from anywhere
    assert sent.status_code == 200, sent.text
    assert "温州市鹿城区法律援助中心" in sent.text
    assert "LA" not in re.sub(r"[^A-Z]", " ", sent.text).split()  # no second code for a case
    [application] = applications(world)
    assert application.complaint_id == filed.complaint_id
    assert application.tracking_code is None and application.pin_hash is None
    assert (application.county_code, application.matter) == ("330302", "unpaid_wages")
    assert application.id_number == ID_NUMBER and application.status == "received"


def test_the_worker_sees_the_application_on_the_case_status_page_with_the_id_masked(
    client, world, addresses
):
    filed = complaint_in_world(world)
    apply_from_case(client, world, filed)

    page = status_page(client, filed.tracking_code, filed.pin).text

    assert 'id="legal-aid-application"' in page and 'id="legal-aid-offer"' not in page
    assert "已提交，等待法律援助中心审查" in page
    assert "330302********" in page and ID_NUMBER not in page


def test_a_case_has_one_application(client, world, addresses):
    filed = complaint_in_world(world)
    apply_from_case(client, world, filed)
    page = status_page(client, filed.tracking_code, filed.pin)
    again = client.post(
        "/worker/legal-aid",
        data={
            "csrf_token": csrf(page),
            "case_pass": case_pass(page),
            "matter": "unpaid_wages",
            "applicant_name": "张三",
            "phone": "13800000001",
            "id_number": ID_NUMBER,
            "county_code": "330302",
            "account": "再申请一次",
        },
    )
    assert again.status_code == 409
    assert len(applications(world)) == 1


def test_a_forged_case_pass_opens_no_form(client, world):
    page = client.get("/worker/track")
    forged = client.post(
        "/worker/track/legal-aid",
        data={"csrf_token": csrf(page), "case_pass": "WG123.9999999999.00"},
    )
    assert forged.status_code == 403
    assert 'name="applicant_name"' not in forged.text


def test_a_failed_mediation_offers_legal_aid_in_one_tap_with_the_arbitration_deadline(
    client, world, addresses
):
    filed = complaint_in_world(world)
    headers = bearer(client, "mediator")
    case = case_reference(world, filed.complaint_id)
    assert client.post(f"/api/cases/{case}/accept", headers=headers).is_success
    closed = client.post(f"/api/cases/{case}/close", headers=headers, json={"outcome": "failure"})
    assert closed.status_code == 200, closed.text
    client.cookies.clear()
    with world.engine.connect() as conn:
        deadline = conn.execute(
            text("SELECT arbitration_deadline FROM complaint WHERE id = :i"),
            {"i": filed.complaint_id},
        ).scalar_one()

    page = status_page(client, filed.tracking_code, filed.pin)

    offer = page.text.split('id="legal-aid-offer"')[1].split("</form>")[0]
    assert "调解没有成功" in offer
    assert f"申请劳动仲裁的最后日期：{deadline}" in offer
    assert 'action="/worker/track/legal-aid"' in offer and "一键申请法律援助" in offer
    # The one tap opens the form already filled in.
    form = client.post(
        "/worker/track/legal-aid", data={"csrf_token": csrf(page), "case_pass": case_pass(page)}
    )
    assert form_values(form)["applicant_name"] == "张三"


def test_a_standalone_application_gets_its_own_code_and_pin_and_is_tracked_with_them(
    client, world, addresses
):
    _, sent = apply_alone(client)

    assert sent.status_code == 200, sent.text
    code = re.search(r'id="tracking-code">([^<]+)<', sent.text).group(1)
    pin = re.search(r'id="pin">([^<]+)<', sent.text).group(1)
    assert code.startswith("LA") and len(code) == 12 and pin.isdigit()
    [application] = applications(world)
    assert application.tracking_code == code and application.complaint_id is None
    assert pin not in (application.pin_hash or "")

    status = status_page(client, code, pin).text
    assert "法律援助申请进度" in status and "已提交，等待法律援助中心审查" in status
    page = client.get("/worker/track")
    wrong = client.post(
        "/worker/track", data={"tracking_code": code, "pin": "000000", "csrf_token": csrf(page)}
    )
    assert wrong.status_code == 403
    assert "法律援助申请进度" not in wrong.text


def test_the_front_door_offers_the_application(client, world):
    page = client.get("/worker").text
    assert 'href="/worker/legal-aid"' in page
    choice = client.get("/worker/legal-aid").text
    assert 'id="matter-choice"' in choice and 'name="applicant_name"' not in choice


@pytest.mark.parametrize("matter", ["unpaid_wages", "work_injury"])
def test_wages_and_work_injury_are_not_asked_for_income_proof_art_42(client, world, matter):
    page = client.get(f"/worker/legal-aid?matter={matter}").text

    assert "免予核查经济困难状况" in page and "不需要提供收入证明" in page
    assert "《中华人民共和国法律援助法》第四十二条第三项" in page
    assert 'name="hardship_statement"' not in page and 'name="hardship_promise"' not in page


def test_another_matter_is_asked_for_the_hardship_statement_art_41(client, world, addresses):
    page = client.get("/worker/legal-aid?matter=other").text
    assert 'name="hardship_statement"' in page and 'name="hardship_promise"' in page
    assert "第四十一条" in page and "免予核查" not in page

    _, missing = apply_alone(client, matter="other")
    assert missing.status_code == 422
    assert "请说明经济困难状况" in missing.text and "请确认经济困难状况属实" in missing.text
    assert applications(world) == []

    _, sent = apply_alone(
        client,
        matter="other",
        hardship_statement="一家四口，月收入两千元。",
        hardship_promise="yes",
    )
    assert sent.status_code == 200, sent.text
    [application] = applications(world)
    assert not application.hardship_check_exempt
    assert application.hardship_statement == "一家四口，月收入两千元。"


def test_a_hardship_statement_sent_with_an_exempt_matter_is_not_kept(client, world, addresses):
    _, sent = apply_alone(client, hardship_statement="月收入三千", hardship_promise="yes")
    assert sent.status_code == 200
    [application] = applications(world)
    assert application.hardship_check_exempt and application.hardship_statement is None


def test_bad_fields_are_named_in_the_page_language(client, world):
    _, bad = apply_alone(client, id_number="330302199001011234", phone="123", account="")
    assert bad.status_code == 422
    assert "18 位身份证号码" in bad.text and "手机号码" in bad.text and "请简要说明" in bad.text
    assert "330302199001011234" not in bad.text  # an identity number is never shown back
    assert applications(world) == []


# --- routing and e-mail ---------------------------------------------------------------------------


def test_an_application_is_e_mailed_to_the_county_s_centre_and_not_its_inspectors(
    client, world, addresses
):
    apply_alone(client)

    [message] = outbox(world)
    assert message.to_address == addresses["legal_aid.a"]
    assert message.about_place == "330302"
    assert "温州市鹿城区法律援助中心" in message.subject
    body = message.body_text
    assert "追索劳动报酬" in body and "免予核查" in body and "第四十二条" in body
    for secret in ("王五", "13700000003", ID_NUMBER, "包工头跑了"):
        assert secret not in body and secret not in message.body_html
    assert "/legal-aid/" in body


def test_where_the_centre_has_no_account_the_county_s_inspectors_are_e_mailed(
    client, world, addresses
):
    apply_alone(client, county_code="330303")

    [message] = outbox(world)
    assert message.to_address == addresses["inspector.longwan"]
    assert message.about_place == "330303"
    assert "尚未开通平台账号" in message.body_text
    [application] = applications(world)
    assert application.county_code == "330303"


def test_a_centre_user_moved_to_another_county_gets_nothing_queued_before(
    client,
    world,
    addresses,
    smtp_server,  # noqa: F811
):
    apply_alone(client)
    with session_scope(world.engine) as session:
        user_id = session.scalar(select(User.id).where(User.username == "legal_aid.a"))
        users.update(
            session=session, actor=ADMIN, user_id=user_id, data=UserUpdate(jurisdictions=["330304"])
        )
    settings = mail_settings(smtp_server.port)
    client.portal.call(deliver_due, world.engine, settings, datetime.now(UTC))

    assert [m for m in smtp_server.received if m.to == addresses["legal_aid.a"]] == []
    [message] = outbox(world)
    assert message.status == "withdrawn" and "no longer covers 330302" in message.last_error


# --- the centre's decisions -------------------------------------------------------------------


def record(client: TestClient, application_id: int, **data: str):
    token = csrf_of(client, f"/legal-aid/{application_id}")
    return client.post(
        f"/legal-aid/{application_id}/status",
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )


def test_the_centre_records_each_status_audited_and_the_worker_sees_it(client, world, addresses):
    filed = complaint_in_world(world)
    apply_from_case(client, world, filed)
    client.cookies.clear()
    [application] = applications(world)
    sign_in(client, "legal_aid.a")

    listing = client.get("/legal-aid").text
    assert f'href="/legal-aid/{application.id}"' in listing and "张三" in listing
    detail = client.get(f"/legal-aid/{application.id}").text
    assert "330302********" in detail and ID_NUMBER not in detail
    assert "免予核查经济困难状况" in detail and filed.tracking_code not in detail

    assert record(client, application.id, status="accepted").status_code == 303
    missing = record(client, application.id, status="lawyer_assigned")
    assert missing.status_code == 422 and "请填写律师姓名" in missing.text
    assigned = record(client, application.id, status="lawyer_assigned", lawyer_name="陈律师")
    assert assigned.status_code == 303
    too_late = record(client, application.id, status="refused", refusal_reason="x")
    assert too_late.status_code == 409

    with session_scope(world.engine) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "legal_aid_application")
            .order_by(AuditEntry.id)
        ).all()
        changes = [(e.actor_label, e.before, e.after) for e in entries]
    assert changes == [
        ("legal_aid:legal_aid.a", {"status": "received"}, {"status": "accepted"}),
        (
            "legal_aid:legal_aid.a",
            {"status": "accepted"},
            {"status": "lawyer_assigned", "lawyer_name": "陈律师"},
        ),
    ]
    client.cookies.clear()
    page = status_page(client, filed.tracking_code, filed.pin).text
    assert "已指派律师" in page and "承办律师：陈律师" in page
    assert "法律援助中心已决定给予法律援助" in page  # the timeline


def test_a_refusal_needs_its_reason_and_the_worker_reads_it(client, world, addresses):
    _, sent = apply_alone(client)
    code = re.search(r'id="tracking-code">([^<]+)<', sent.text).group(1)
    pin = re.search(r'id="pin">([^<]+)<', sent.text).group(1)
    [application] = applications(world)
    client.cookies.clear()
    headers = bearer(client, "legal_aid.a")

    no_reason = client.post(
        f"/api/legal-aid/{application.id}/status", headers=headers, json={"status": "refused"}
    )
    assert no_reason.status_code == 422
    assert "refusal_reason" in no_reason.text
    refused = client.post(
        f"/api/legal-aid/{application.id}/status",
        headers=headers,
        json={"status": "refused", "refusal_reason": "已有律师代理"},
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused"

    page = status_page(client, code, pin).text
    assert "法律援助中心决定不予法律援助" in page and "理由：已有律师代理" in page
    assert "温州市鹿城区司法局" in page  # where an objection goes (Art. 49)


# --- scope --------------------------------------------------------------------------------


def test_another_county_s_centre_neither_lists_nor_opens_nor_decides(client, world, addresses):
    apply_alone(client)
    [application] = applications(world)
    client.cookies.clear()
    headers = bearer(client, "legal_aid.b")

    assert client.get("/api/legal-aid", headers=headers).json() == []
    assert client.get(f"/api/legal-aid/{application.id}", headers=headers).status_code == 404
    decided = client.post(
        f"/api/legal-aid/{application.id}/status", headers=headers, json={"status": "accepted"}
    )
    assert decided.status_code == 404
    assert applications(world)[0].status == "received"


def test_inspectors_read_but_the_centre_with_an_account_decides(client, world, addresses):
    apply_alone(client)
    [application] = applications(world)
    client.cookies.clear()
    sign_in(client, "inspector.a")

    detail = client.get(f"/legal-aid/{application.id}")
    assert detail.status_code == 200 and 'id="centre-records"' in detail.text
    assert 'action="/legal-aid/' not in detail.text
    assert record(client, application.id, status="accepted").status_code == 403
    assert applications(world)[0].status == "received"


def test_where_the_centre_has_no_account_the_county_s_inspector_decides(client, world, addresses):
    apply_alone(client, county_code="330303")
    [application] = applications(world)
    client.cookies.clear()
    sign_in(client, "inspector.longwan")

    detail = client.get(f"/legal-aid/{application.id}").text
    assert 'id="fallback"' in detail
    assert record(client, application.id, status="accepted").status_code == 303
    assert applications(world)[0].status == "accepted"
    client.cookies.clear()
    sign_in(client, "inspector.a")  # Lucheng's inspector: not Longwan's application
    assert client.get(f"/legal-aid/{application.id}").status_code == 404


def test_employers_and_mediators_have_no_way_in(client, world, addresses):
    apply_alone(client)
    [application] = applications(world)
    for username in ("employer.a", "mediator", "admin"):
        client.cookies.clear()
        headers = bearer(client, username)
        assert client.get("/api/legal-aid", headers=headers).status_code == 403
        assert client.get(f"/api/legal-aid/{application.id}", headers=headers).status_code == 403


def test_applications_are_limited_per_address(world):
    settings = Settings(database_url=world.db_url, legal_aid_applications_per_address=2)
    with TestClient(create_app(settings)) as client:
        answers = [apply_alone(client)[1].status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert len(applications(world)) == 2
