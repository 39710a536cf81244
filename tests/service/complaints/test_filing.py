"""Filing a complaint: every field checked with messages in both languages, the code and PIN,
the deadline, and the inspectors alerted for group and construction complaints."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlmodel import select

from monitors.reference import load_reference
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.pins import pin_matches
from service.complaints.service import (
    CODE_ALPHABET,
    employer_search,
    new_tracking_code,
    notices_for_employer,
    project_search,
)
from service.config import Settings
from service.db import session_scope
from service.errors import Invalid
from service.flows.filing import file_complaint
from service.notifications.models import OutboxMessage
from service.notifications.sender import queue_filed
from tests.conftest import shared_reference
from tests.factories import uscc
from tests.service.complaints.conftest import RECEIVED_AT, Places, file, form

GROUP = int(load_reference().value("group_complaint_min_workers", on=RECEIVED_AT.date()))


def event_kinds(session, complaint_id: int) -> list[str]:
    return list(
        session.scalars(
            select(ComplaintEvent.kind)
            .where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.id)
        )
    )


def refused_fields(session, **overrides) -> dict:
    with pytest.raises(Invalid) as refused:
        file_complaint(
            session, form=form(**overrides), received_at=RECEIVED_AT, reference=shared_reference()
        )
    return refused.value.detail


def test_a_complaint_is_stored_with_a_code_and_a_hashed_pin(places: Places, session) -> None:
    filed = file(places.engine)

    assert re.fullmatch(rf"WG[{CODE_ALPHABET}]{{10}}", filed.tracking_code)
    assert re.fullmatch(r"\d{6}", filed.pin)
    assert filed.pin not in repr(filed)
    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.tracking_code == filed.tracking_code
    assert complaint.pin_hash != filed.pin
    assert pin_matches(tracking_code=filed.tracking_code, pin=filed.pin, stored=complaint.pin_hash)
    assert (complaint.amount_owed_fen, complaint.workers_affected) == (1_200_000, 1)
    assert (complaint.period_from, complaint.period_to) == ("2026-08", "2026-09")
    assert complaint.status == "received"
    assert complaint.disclose_identity is False
    assert complaint.received_on == date(2026, 10, 8)
    assert complaint.mediation_due_on == filed.mediation_due_on == date(2026, 10, 23)
    assert event_kinds(session, filed.complaint_id) == ["received", "routed"]


def test_the_day_of_receipt_is_the_day_in_wenzhou(places: Places, session) -> None:
    late_evening = datetime(2026, 10, 8, 17, 30, tzinfo=UTC)  # 01:30 on the 9th in Wenzhou

    filed = file(places.engine, received_at=late_evening)

    assert session.get(Complaint, filed.complaint_id).received_on == date(2026, 10, 9)


def test_tracking_codes_use_the_unambiguous_alphabet() -> None:
    codes = {new_tracking_code() for _ in range(500)}

    assert len(codes) == 500
    assert not set("".join(codes)) & set("01IOL")


def test_every_bad_field_is_reported_at_once_in_both_languages(places: Places, session) -> None:
    fields = refused_fields(
        session,
        employer_text="",
        county_code="330322",  # the former 洞头县: not a county any more
        period_from="2026-13",
        amount_owed="12.345",
        workers_affected="0",
        description=" ",
        phone="12345",
        worker_name="名" * 51,
        kind="theft",
        language="fr",
    )

    assert set(fields) == {
        "employer",
        "county_code",
        "period_from",
        "amount_owed",
        "workers_affected",
        "description",
        "phone",
        "worker_name",
        "kind",
        "language",
    }
    for messages in fields.values():
        assert set(messages) == {"zh-CN", "en"}
        assert messages["zh-CN"] and messages["en"]
    assert session.scalars(select(Complaint)).all() == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_from": "2026-10", "period_to": "2026-11"}, "period_to"),  # the future
        ({"period_from": "2026-09", "period_to": "2026-08"}, "period_to"),
        ({"period_from": "", "period_to": ""}, "period_from"),  # wage months required
        ({"amount_owed": ""}, "amount_owed"),
        ({"amount_owed": "-5"}, "amount_owed"),
        ({"workers_affected": "10001"}, "workers_affected"),
        ({"workers_affected": "2.5"}, "workers_affected"),
        ({"description": "x" * 2001}, "description"),
        ({"employer_id": "999999"}, "employer"),
        ({"employer_text": "厂" * 201}, "employer_text"),
        ({"town": "镇" * 61}, "town"),
        ({"phone": "138000000011"}, "phone"),
    ],
)
def test_a_bad_field_is_refused(places: Places, session, overrides: dict, field: str) -> None:
    assert list(refused_fields(session, **overrides)) == [field]


def test_a_project_must_be_in_the_county_of_the_complaint(places: Places, session) -> None:
    fields = refused_fields(session, project_id=places.project_b)  # Ouhai project, Lucheng

    assert list(fields) == ["project_id"]


def test_what_is_typed_on_a_phone_keyboard_is_understood(places: Places, session) -> None:
    filed = file(
        places.engine,
        amount_owed="１２,０００.５０ 元",
        workers_affected="３",
        phone="+86 138 0000 0001",
        period_from="２０２６/０８",
        period_to="",
        kind="",
    )

    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.amount_owed_fen == 1_200_050
    assert complaint.workers_affected == 3
    assert complaint.phone == "13800000001"
    assert (complaint.period_from, complaint.period_to) == ("2026-08", "2026-08")
    assert complaint.kind == "unpaid_wages"


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("0577-88888888", "0577-88888888"),
        ("057788888888", "0577-88888888"),
        ("010-1234567", "010-1234567"),
        ("", None),
    ],
)
def test_landlines_and_no_phone_are_accepted(
    places: Places, session, phone: str, stored: str | None
) -> None:
    filed = file(places.engine, phone=phone)

    assert session.get(Complaint, filed.complaint_id).phone == stored


def test_other_kinds_need_no_months_or_amount(places: Places, session) -> None:
    filed = file(places.engine, kind="no_contract", period_from="", period_to="", amount_owed="")

    complaint = session.get(Complaint, filed.complaint_id)
    assert (complaint.kind, complaint.amount_owed_fen, complaint.period_from) == (
        "no_contract",
        0,
        None,
    )


# --- inspectors alerted at once -----------------------------------------------------------------


def test_a_group_complaint_alerts_the_inspectors(places: Places, session) -> None:
    filed = file(places.engine, workers_affected=str(GROUP))

    assert filed.inspectors_alerted
    assert event_kinds(session, filed.complaint_id) == ["received", "routed", "inspectors_alerted"]
    note = session.scalar(
        select(ComplaintEvent.note).where(ComplaintEvent.kind == "inspectors_alerted")
    )
    assert note.startswith("critical; group")


def test_one_worker_fewer_is_not_a_group_complaint(places: Places, session) -> None:
    filed = file(places.engine, workers_affected=str(GROUP - 1))

    assert not filed.inspectors_alerted
    assert "inspectors_alerted" not in event_kinds(session, filed.complaint_id)


def test_a_complaint_about_a_project_alerts_the_inspectors(places: Places, session) -> None:
    filed = file(places.engine, county_code="330304", project_id=str(places.project_b))

    assert filed.inspectors_alerted
    assert "inspectors_alerted" in event_kinds(session, filed.complaint_id)


def test_a_complaint_against_a_construction_employer_alerts_the_inspectors(
    places: Places, session
) -> None:
    filed = file(places.engine, county_code="330304", employer_id=str(places.employer_b))

    assert filed.inspectors_alerted


def test_an_alert_queues_mail_to_the_countys_inspectors(places: Places, session) -> None:
    file(places.engine, workers_affected=str(GROUP))
    queue_filed(places.engine, Settings())

    addresses = set(session.scalars(select(OutboxMessage.to_address)))
    assert "inspector.lucheng@example.cn" in addresses
    assert "inspector.ouhai@example.cn" not in addresses


def test_the_filing_leaves_its_mail_to_the_senders_next_round_which_queues_it_once(
    places: Places, session
) -> None:
    filed = file(places.engine, employer_id=places.employer_a, workers_affected=str(GROUP))
    # The worker's request wrote no e-mail: it only marked the complaint.
    assert session.scalars(select(OutboxMessage)).all() == []
    assert session.get(Complaint, filed.complaint_id).notices_pending

    assert queue_filed(places.engine, Settings()) == 1
    assert queue_filed(places.engine, Settings()) == 0  # nothing left, nothing queued twice

    session.expire_all()
    kinds = sorted(session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["case_new", "group_complaint_alert"]  # the employer has no address
    assert not session.get(Complaint, filed.complaint_id).notices_pending


def test_the_senders_round_queues_the_mail_of_many_complaints_in_one_transaction(
    places: Places, session
) -> None:
    filed = [file(places.engine, employer_id=places.employer_a) for _ in range(3)]
    commits: list[object] = []
    event.listen(places.engine, "commit", commits.append)

    assert queue_filed(places.engine, Settings()) == 3

    assert len(commits) == 1
    committees_told = session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "case_new")
    ).all()
    assert len(committees_told) == len(filed)


# --- searches -----------------------------------------------------------------------------------


def test_employer_search_by_name_or_credit_code(places: Places, session) -> None:
    by_name = employer_search(session, "鹿城")
    by_code = employer_search(session, uscc(102, "330304").lower())

    assert [hit.name for hit in by_name] == ["温州鹿城服装有限公司", "温州鹿城鞋业有限公司"]
    assert [hit.id for hit in by_code] == [places.employer_b]
    assert set(by_code[0].model_dump()) == {"id", "name", "county_code", "town"}


def test_employer_search_by_county_and_limits(places: Places, session) -> None:
    assert employer_search(session, "温州", county="330304")[0].id == places.employer_b
    assert employer_search(session, "  ") == []
    assert employer_search(session, "%") == []  # a wildcard is a character, not a pattern
    assert employer_search(session, uscc(102, "330304")[:10]) == []  # the code must be exact


def test_employer_search_returns_at_most_ten(places: Places, session) -> None:
    from service.employers.models import Employer

    session.add_all(
        Employer(
            uscc=uscc(200 + n),
            name=f"鹿城测试企业{n:02d}",
            industry_code="1952",
            county_code="330302",
        )
        for n in range(12)
    )
    session.flush()

    assert len(employer_search(session, "鹿城")) == 10


def test_project_search_within_the_county(places: Places, session) -> None:
    assert [p.id for p in project_search(session, "瓯海", "330304")] == [places.project_b]
    assert project_search(session, "瓯海", "330302") == []


# --- what the employer is told ------------------------------------------------------------------


def test_the_employer_learns_of_a_complaint_but_not_who_made_it(places: Places, session) -> None:
    file(places.engine, employer_id=str(places.employer_c))
    file(places.engine, employer_id=str(places.employer_c), disclose_identity=True)
    employer = places.actor(session, "employer.c")

    notices = notices_for_employer(session, employer)
    [hidden] = [n for n in notices if not n.identity_disclosed]
    [disclosed] = [n for n in notices if n.identity_disclosed]

    assert (hidden.worker_name, hidden.phone, hidden.description) == (None, None, None)
    # Nothing a payroll could match to one worker either, and only the week.
    assert (hidden.amount_owed_fen, hidden.period_from, hidden.period_to) == (None, None, None)
    assert (hidden.workers_affected, hidden.received_on, hidden.mediation_due_on) == (None,) * 3
    assert (hidden.kind, hidden.project_code) == (None, None)
    assert hidden.received_week_of.isoweekday() == 1
    assert (disclosed.worker_name, disclosed.phone) == ("张三", "13800000001")
    assert disclosed.amount_owed_fen is not None and disclosed.period_from is not None
    assert notices_for_employer(session, places.actor(session, "employer.a")) == []
    assert notices_for_employer(session, places.actor(session, "inspector.lucheng")) == []


@pytest.mark.parametrize(
    ("ticked", "disclosed"), [("false", False), ("off", False), ("", False), ("on", True)]
)
def test_only_an_explicit_yes_discloses_the_identity(
    places: Places, session, ticked: str, disclosed: bool
) -> None:
    filed = file(places.engine, disclose_identity=ticked)

    assert session.get(Complaint, filed.complaint_id).disclose_identity is disclosed


def test_a_filing_reads_the_employer_and_the_county_once(places: Places) -> None:
    statements: list[str] = []
    event.listen(places.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    file(places.engine, employer_id=places.employer_a, agrees_to_enterprise_mediation=True)
    reads = [" ".join(s.split()) for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The form check reads the employer and the county and keeps them; routing and
    # alerting find them in the session instead of reading them again.
    assert sum("FROM employer WHERE" in s for s in reads) == 1
    assert sum("FROM jurisdiction WHERE" in s for s in reads) == 1


def test_a_filing_writes_the_complaint_in_one_insert_and_its_events_in_one_more(
    places: Places,
) -> None:
    # Every complaint filed pays for its round trips (bench/filing_bench.py): routed before
    # it is written, no look-up of its random code, no UPDATE of it afterwards.
    statements: list[str] = []
    event.listen(places.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    filed = file(places.engine, employer_id=places.employer_a, workers_affected="40")
    flat = [" ".join(s.split()) for s in statements]

    assert filed.routing_rule is not None and filed.inspectors_alerted  # three events
    assert sum(s.startswith("INSERT INTO complaint (") for s in flat) == 1
    # One multi-row INSERT on PostgreSQL; SQLAlchemy sends SQLite one row at a time.
    events = 1 if places.engine.dialect.name == "postgresql" else 3
    assert sum(s.startswith("INSERT INTO complaint_event ") for s in flat) == events
    assert not [s for s in flat if s.startswith("UPDATE complaint ") or "FROM complaint " in s]
    with session_scope(places.engine) as session:
        kinds = session.scalars(
            select(ComplaintEvent.kind)
            .where(ComplaintEvent.complaint_id == filed.complaint_id)
            .order_by(ComplaintEvent.id)
        ).all()
    assert kinds == ["received", "routed", "inspectors_alerted"]
