"""Messages on a case and the inspectors' take-over (立案), through real HTTP on both
databases: the worker (case pass from code + PIN) and the case's handlers write to each other;
handlers are e-mailed (a real SMTP server), the worker is texted through the SMS sink when they
agreed; limits, scope, the timeline and the audit log; an inspection case shown to the worker,
in the employer file and in the monthly counts."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from service.app import create_app
from service.audit.models import AuditEntry
from service.auth.models import User
from service.casework import inspection
from service.casework.models import CaseMessage, InspectionCase
from service.complaints.models import Complaint, ComplaintEvent
from service.config import Settings
from service.db import session_scope
from service.notifications.sender import deliver_due
from service.sms.senders import read_sink
from tests.factories import complaint_in_world, other_committee_mediator
from tests.service.notifications.conftest import (  # noqa: F401 (the fixture)
    SmtpServer,
    mail_settings,
    smtp_server,
)
from tests.service.portals._complaints import case_pass, csrf, csrf_of, status_page
from tests.service.portals.conftest import sign_in

MEDIATOR_MAIL = "mediator@wuma-tj.example.org"
INSPECTOR_MAIL = "inspector.a@rsj.example.cn"
WORKER_WORDS = "老板说月底发，但上个月也这么说QZ8"
MEDIATOR_WORDS = "已约用人单位周五到街道调解，请您带上工资条。"


@pytest.fixture
def sms_dir(tmp_path: Path) -> Path:
    return tmp_path / "sms"


@pytest.fixture
def client(world, tmp_path, sms_dir) -> Iterator[TestClient]:
    with session_scope(world.engine) as session:
        for username, mail in (("mediator", MEDIATOR_MAIL), ("inspector.a", INSPECTOR_MAIL)):
            session.scalar(select(User).where(User.username == username)).email = mail
    settings = Settings(
        database_url=world.db_url, upload_dir=tmp_path / "uploads", sms_sink_dir=sms_dir
    )
    with TestClient(create_app(settings)) as client:
        yield client


def worker_writes(client: TestClient, page, body: str):
    return client.post(
        "/worker/track/messages",
        data={"csrf_token": csrf(page), "case_pass": case_pass(page), "body": body},
    )


def handler_writes(client: TestClient, case_path: str, body: str):
    token = csrf_of(client, case_path)
    return client.post(
        f"{case_path}/messages", data={"csrf_token": token, "body": body}, follow_redirects=False
    )


def ref(client: TestClient, complaint_id: int) -> str:
    """The case's random reference: handlers' URLs carry it, never the sequential id."""
    with client.app.state.engine.connect() as conn:
        return conn.execute(
            text("SELECT public_reference FROM complaint WHERE id = :i"), {"i": complaint_id}
        ).scalar_one()


def messages(world, complaint_id: int) -> list[CaseMessage]:
    with session_scope(world.engine) as session:
        rows = session.scalars(
            select(CaseMessage)
            .where(CaseMessage.complaint_id == complaint_id)
            .order_by(CaseMessage.id)
        ).all()
        session.expunge_all()
        return list(rows)


def audit_of(world, action: str) -> list[AuditEntry]:
    with session_scope(world.engine) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        session.expunge_all()
        return list(rows)


def deliver(client: TestClient, world, server: SmtpServer) -> None:
    settings = mail_settings(server.port)
    while client.portal.call(deliver_due, world.engine, settings, datetime.now(UTC)):
        pass


# --- the worker writes ----------------------------------------------------------------------


def test_the_worker_writes_and_the_mediator_is_e_mailed_and_reads_it(
    client,
    world,
    smtp_server,  # noqa: F811
):
    filed = complaint_in_world(world)
    deliver(client, world, smtp_server)  # the new-case notice, out of the way
    before = len(smtp_server.received)
    page = status_page(client, filed.tracking_code, filed.pin)
    answer = worker_writes(client, page, WORKER_WORDS)
    assert answer.status_code == 200, answer.text
    assert "留言已发送" in answer.text and WORKER_WORDS in answer.text
    assert "申请人留言" in answer.text  # the timeline says a message came
    assert filed.pin not in answer.text
    [message] = messages(world, filed.complaint_id)
    assert (message.direction, message.author_id, message.body) == (
        "from_worker",
        None,
        WORKER_WORDS,
    )
    # Recorded without identifying data: who ("the worker"), how long, never the text.
    [entry] = audit_of(world, "case_message.from_worker")
    assert entry.actor_label == "worker:case" and entry.actor_id is None
    assert entry.after == {"message_id": message.id, "chars": len(WORKER_WORDS)}

    deliver(client, world, smtp_server)
    mails = smtp_server.received[before:]
    assert [m.to for m in mails] == [MEDIATOR_MAIL]
    with session_scope(world.engine) as session:
        reference = session.get(Complaint, filed.complaint_id).public_reference
    assert reference in mails[0].subject and "留言" in mails[0].subject
    assert f"/mediator/cases/{ref(client, filed.complaint_id)}" in mails[0].text
    for mail in mails:  # the handler reads the text signed in, never in an e-mail
        assert WORKER_WORDS not in mail.subject + mail.text + mail.html
        assert filed.tracking_code not in mail.subject + mail.text + mail.html

    client.cookies.clear()
    sign_in(client, "mediator")
    case = client.get(f"/mediator/cases/{ref(client, filed.complaint_id)}")
    assert WORKER_WORDS in case.text and "申请人" in case.text


def test_a_forged_or_missing_case_pass_writes_nothing(client, world):
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin)
    forged = client.post(
        "/worker/track/messages",
        data={
            "csrf_token": csrf(page),
            "case_pass": f"{filed.tracking_code}.9999999999.00",
            "body": WORKER_WORDS,
        },
    )
    assert forged.status_code == 403
    assert messages(world, filed.complaint_id) == []


# --- the handlers answer --------------------------------------------------------------------


def test_the_mediator_answers_the_worker_reads_it_as_new_and_gets_an_sms(client, world, sms_dir):
    filed = complaint_in_world(world, sms_consent=True)
    sign_in(client, "mediator")
    case_path = f"/mediator/cases/{ref(client, filed.complaint_id)}"
    sent = handler_writes(client, case_path, MEDIATOR_WORDS)
    assert sent.status_code == 303 and sent.headers["location"] == f"{case_path}?done=message"
    assert "留言已发送" in client.get(sent.headers["location"]).text
    [message] = messages(world, filed.complaint_id)
    assert (message.direction, message.author_role, message.sms_status) == (
        "to_worker",
        "mediator",
        "sent",
    )
    [sms] = read_sink(sms_dir)
    assert sms["to"] == "13800000001"
    assert MEDIATOR_WORDS in sms["text"] and sms["text"].startswith("【薪盾】调解员给您留言")
    assert filed.tracking_code not in sms["text"]
    [entry] = audit_of(world, "case_message.to_worker")
    assert entry.actor_label == "mediator:mediator" and entry.after["body"] == MEDIATOR_WORDS

    client.cookies.clear()
    first = status_page(client, filed.tracking_code, filed.pin)
    assert MEDIATOR_WORDS in first.text and "新留言" in first.text and "承办人留言" in first.text
    again = status_page(client, filed.tracking_code, filed.pin)
    assert MEDIATOR_WORDS in again.text and "新留言" not in again.text  # seen now
    english = status_page(client, filed.tracking_code, filed.pin, lang="en")
    assert "Mediator" in english.text and MEDIATOR_WORDS in english.text
    # The worker answers.
    answer = worker_writes(client, again, "好的，周五我会去。")
    assert answer.status_code == 200
    assert [m.direction for m in messages(world, filed.complaint_id)] == [
        "to_worker",
        "from_worker",
    ]
    with session_scope(world.engine) as session:
        kinds = session.scalars(
            select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == filed.complaint_id)
        ).all()
    assert {"message_to_worker", "message_from_worker"} <= set(kinds)


def test_no_sms_without_the_workers_consent(client, world, sms_dir):
    filed = complaint_in_world(world)  # a mobile number, but no consent
    sign_in(client, "mediator")
    assert (
        handler_writes(
            client, f"/mediator/cases/{ref(client, filed.complaint_id)}", "请来电"
        ).status_code
        == 303
    )
    assert not sms_dir.exists() or read_sink(sms_dir) == []
    assert [m.sms_status for m in messages(world, filed.complaint_id)] == ["no_consent"]


def test_the_consent_is_a_checkbox_of_the_complaint_form(client, world):
    page = client.get("/worker/complaint")
    assert 'name="sms_consent"' in page.text and "短信" in page.text
    data = {
        "csrf_token": csrf(page),
        "description": "拖欠工资",
        "county_code": "330302",
        "town": "五马街道",
        "employer_id": str(world.employer_a),
        "period_from": "2026-08",
        "amount_owed": "100",
        "workers_affected": "1",
        "phone": "13900000002",
        "sms_consent": "yes",
    }
    assert client.post("/worker/complaint", data=data).status_code == 200
    with world.engine.connect() as conn:
        consent = conn.execute(
            text("SELECT sms_consent FROM complaint WHERE phone = '13900000002'")
        ).scalar_one()
    assert bool(consent) is True


def test_an_inspector_of_the_county_writes_to_the_worker(client, world, sms_dir):
    filed = complaint_in_world(world, sms_consent=True)
    sign_in(client, "inspector.a")
    case_path = f"/inspector/complaints/{ref(client, filed.complaint_id)}"
    sent = handler_writes(client, case_path, "请补充考勤记录。")
    assert sent.status_code == 303
    [message] = messages(world, filed.complaint_id)
    assert message.author_role == "inspector" and message.sms_status == "sent"
    assert read_sink(sms_dir)[0]["text"].startswith("【薪盾】劳动保障监察员给您留言")
    assert "请补充考勤记录" in client.get(case_path).text


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("inspector.b", "/inspector/complaints", 404),  # another county
        ("admin", "/inspector/complaints", 403),  # reads the case, does not handle it
        ("employer.a", "/inspector/complaints", 403),
        ("employer.a", "/mediator/cases", 403),
    ],
)
def test_others_cannot_write_on_the_case(client, world, username, path, status):
    filed = complaint_in_world(world)
    sign_in(client, username)
    token = csrf_of(client, "/login")
    answer = client.post(
        f"{path}/{ref(client, filed.complaint_id)}/messages",
        data={"csrf_token": token, "body": "hello"},
        follow_redirects=False,
    )
    assert answer.status_code == status
    assert messages(world, filed.complaint_id) == []


def test_a_mediator_of_another_committee_gets_404(client, world):
    filed = complaint_in_world(world)
    sign_in(client, other_committee_mediator(world))
    token = csrf_of(client, "/mediator")
    answer = client.post(
        f"/mediator/cases/{ref(client, filed.complaint_id)}/messages",
        data={"csrf_token": token, "body": "hello"},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert messages(world, filed.complaint_id) == []


# --- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "words"), [("zh-CN", "留言最多 10 字"), ("en", "at most 10")])
def test_a_message_too_long_or_empty_is_refused_in_the_page_language(client, world, lang, words):
    client.app.state.settings.case_message_max_chars = 10
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin, lang=lang)
    long = worker_writes(client, page, "一" * 11)
    assert long.status_code == 422 and words in long.text
    assert "一" * 11 in long.text  # the draft is kept
    assert worker_writes(client, page, "   ").status_code == 422
    assert worker_writes(client, page, "一" * 10).status_code == 200
    sign_in(client, "mediator")
    refused = handler_writes(
        client, f"/mediator/cases/{ref(client, filed.complaint_id)}", "二" * 11
    )
    assert refused.status_code == 422 and words in refused.text  # the language chosen before
    assert len(messages(world, filed.complaint_id)) == 1


def test_messages_are_limited_per_case_both_ways(client, world):
    client.app.state.settings.case_messages_per_case_per_hour = 1
    filed = complaint_in_world(world)
    page = status_page(client, filed.tracking_code, filed.pin)
    assert worker_writes(client, page, "第一条").status_code == 200
    limited = worker_writes(client, page, "第二条")
    assert limited.status_code == 429 and "留言太频繁" in limited.text
    sign_in(client, "mediator")
    case_path = f"/mediator/cases/{ref(client, filed.complaint_id)}"
    assert handler_writes(client, case_path, "回复一").status_code == 303  # its own count
    assert handler_writes(client, case_path, "回复二").status_code == 429
    assert [m.body for m in messages(world, filed.complaint_id)] == ["第一条", "回复一"]


def test_the_workers_messages_are_limited_per_address(client, world):
    client.app.state.settings.case_messages_per_address_per_hour = 1
    one, two = complaint_in_world(world), complaint_in_world(world)
    first = status_page(client, one.tracking_code, one.pin)
    assert worker_writes(client, first, "第一件").status_code == 200
    second = status_page(client, two.tracking_code, two.pin)
    assert worker_writes(client, second, "第二件").status_code == 429
    assert messages(world, two.complaint_id) == []


# --- the take-over (立案) ---------------------------------------------------------------------


def close_as_failed(client: TestClient, complaint_id: int) -> None:
    sign_in(client, "mediator")
    case_path = f"/mediator/cases/{ref(client, complaint_id)}"
    for action, data in (("accept", {}), ("close", {"outcome": "failure", "note": "调解不成"})):
        token = csrf_of(client, case_path)
        answer = client.post(
            f"{case_path}/{action}", data={**data, "csrf_token": token}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
    client.cookies.clear()


def take_over(client: TestClient, complaint_id: int, reason: str):
    case_path = f"/inspector/complaints/{ref(client, complaint_id)}"
    token = csrf_of(client, case_path)
    return client.post(
        f"{case_path}/inspection",
        data={"csrf_token": token, "reason": reason},
        follow_redirects=False,
    )


def test_an_inspector_takes_a_failed_mediation_over_and_everyone_concerned_is_told(
    client,
    world,
    smtp_server,  # noqa: F811
):
    filed = complaint_in_world(world)
    close_as_failed(client, filed.complaint_id)
    sign_in(client, "inspector.a")
    case_path = f"/inspector/complaints/{ref(client, filed.complaint_id)}"
    assert 'id="takeover"' in client.get(case_path).text
    reason = "用人单位拒不到场，拖欠金额明确，转入监察程序QL5"
    opened = take_over(client, filed.complaint_id, reason)
    assert opened.status_code == 303
    page = client.get(opened.headers["location"]).text
    assert "已立案" in page and reason in page and 'id="takeover"' not in page
    assert take_over(client, filed.complaint_id, reason).status_code == 409  # once only
    # The record, the audit entry (carrying the employer) and the employer file.
    with session_scope(world.engine) as session:
        record = session.scalar(select(InspectionCase))
        assert (record.complaint_id, record.grounds, record.reason) == (
            filed.complaint_id,
            "mediation_failed",
            reason,
        )
        opened_by = session.get(User, record.opened_by_id).username
        month = f"{record.opened_on:%Y-%m}"
        counts = inspection.opened_per_county_month(session)
    assert opened_by == "inspector.a"
    assert [(c.county_code, c.month, c.opened) for c in counts] == [("330302", month, 1)]
    [entry] = audit_of(world, "inspection_case.opened")
    assert entry.actor_label == "inspector:inspector.a" and entry.employer_id == world.employer_a
    assert entry.after["reason"] == reason
    employer_file = client.get(f"/inspector/employers/{world.employer_a}").text
    assert 'id="inspection-cases"' in employer_file and reason in employer_file
    assert f'href="/inspector/complaints/{ref(client, filed.complaint_id)}"' in employer_file
    # The worker is told on the status page, in both languages.
    client.cookies.clear()
    zh = status_page(client, filed.tracking_code, filed.pin)
    assert "已由劳动保障监察立案处理" in zh.text and reason not in zh.text
    en = status_page(client, filed.tracking_code, filed.pin, lang="en")
    assert "Taken over by the labour inspectors as an inspection case" in en.text
    # The worker's next message reaches the inspectors too.
    deliver(client, world, smtp_server)
    before = len(smtp_server.received)
    assert worker_writes(client, zh, "我还有考勤截图").status_code == 200
    deliver(client, world, smtp_server)
    assert {m.to for m in smtp_server.received[before:]} == {MEDIATOR_MAIL, INSPECTOR_MAIL}


def test_an_overdue_mediation_can_be_taken_over_and_one_in_time_cannot(client, world):
    overdue = complaint_in_world(world, days_ago=40)
    in_time = complaint_in_world(world, days_ago=2)
    sign_in(client, "inspector.a")
    assert (
        'id="takeover"'
        not in client.get(f"/inspector/complaints/{ref(client, in_time.complaint_id)}").text
    )
    assert take_over(client, in_time.complaint_id, "想立案").status_code == 409
    empty = take_over(client, overdue.complaint_id, "  ")
    assert empty.status_code == 422 and "请填写立案理由" in empty.text
    assert take_over(client, overdue.complaint_id, "超期未结").status_code == 303
    with session_scope(world.engine) as session:
        grounds = session.scalars(select(InspectionCase.grounds)).all()
    assert grounds == ["mediation_overdue"]


@pytest.mark.parametrize(
    ("username", "status"), [("inspector.b", 404), ("admin", 403), ("mediator", 403)]
)
def test_only_an_inspector_of_the_county_takes_a_case_over(client, world, username, status):
    filed = complaint_in_world(world, days_ago=40)
    sign_in(client, username)
    token = csrf_of(client, "/login")
    answer = client.post(
        f"/inspector/complaints/{ref(client, filed.complaint_id)}/inspection",
        data={"csrf_token": token, "reason": "超期"},
        follow_redirects=False,
    )
    assert answer.status_code == status
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM inspection_case")).scalar() == 0
