"""Mediation: who reads which cases, the mediator's work, outcomes, a closed case that cannot
change, and the deadline reminders."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from monitors.reference import load_reference
from service.audit.models import AuditEntry
from service.complaints.models import Complaint, ComplaintEvent, MediationSession
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.mediation import service as mediation
from tests.service.complaints.conftest import TOWN, Places, file

NOW = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)  # 10:00 on Monday 12 October in Wenzhou
REMINDER_DAYS = int(load_reference().value("mediation_reminder_days_before", on=NOW.date()))


def to_enterprise(places: Places, **overrides) -> int:
    # The employer's own committee takes only workers who agreed to be known to it.
    return file(
        places.engine,
        employer_id=str(places.employer_a),
        town=TOWN,
        agrees_to_enterprise_mediation=True,
        disclose_identity=True,
        **overrides,
    ).complaint_id


def to_town(places: Places, **overrides) -> int:
    return file(
        places.engine, employer_id=str(places.employer_c), town=TOWN, **overrides
    ).complaint_id


def to_ouhai(places: Places, **overrides) -> int:
    return file(places.engine, county_code="330304", **overrides).complaint_id


def case_ids(session, places: Places, username: str) -> set[int]:
    return {c.id for c in mediation.readable_cases(session, places.actor(session, username))}


@pytest.fixture
def cases(places: Places) -> dict[str, int]:
    return {"enterprise": to_enterprise(places), "town": to_town(places), "ouhai": to_ouhai(places)}


# --- who reads what -----------------------------------------------------------------------------


def test_each_actor_reads_only_its_cases(places: Places, session, cases) -> None:
    everything = set(cases.values())

    assert case_ids(session, places, "admin") == everything
    assert case_ids(session, places, "mediator.enterprise") == {cases["enterprise"]}
    assert case_ids(session, places, "mediator.town") == {cases["town"]}
    assert case_ids(session, places, "mediator.lucheng") == set()
    assert case_ids(session, places, "inspector.lucheng") == {cases["enterprise"], cases["town"]}
    assert case_ids(session, places, "inspector.wuma") == {cases["enterprise"], cases["town"]}
    assert case_ids(session, places, "inspector.ouhai") == {cases["ouhai"]}
    assert case_ids(session, places, "employer.a") == set()


def test_a_town_inspector_does_not_read_other_towns(places: Places, session) -> None:
    elsewhere = file(places.engine, town="南汇街道").complaint_id

    assert elsewhere in case_ids(session, places, "inspector.lucheng")
    assert elsewhere not in case_ids(session, places, "inspector.wuma")


def test_case_lists_carry_no_identity(places: Places, session, cases) -> None:
    [summary] = mediation.readable_cases(session, places.actor(session, "mediator.town"))

    assert summary.employer_name == "温州鹿城服装有限公司"
    assert summary.committee_name == "五马街道人民调解委员会"
    assert not {"worker_name", "phone", "description", "tracking_code"} & set(summary.model_dump())


def test_handlers_read_the_identity_and_others_get_not_found(places: Places, session, cases):
    detail = mediation.get_case(session, places.actor(session, "inspector.lucheng"), cases["town"])

    assert (detail.worker_name, detail.phone) == ("张三", "13800000001")
    assert [e.kind for e in detail.events] == ["received", "routed"]
    for outsider in ("mediator.enterprise", "inspector.ouhai", "employer.c"):
        with pytest.raises(NotFound):
            mediation.get_case(session, places.actor(session, outsider), cases["town"])


# --- the mediator's work ------------------------------------------------------------------------


def test_the_committees_mediator_accepts_a_case(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")

    detail = mediation.accept(session, mediator, cases["town"], now=NOW)

    assert detail.status == "accepted" and detail.accepted_at == NOW
    complaint = session.get(Complaint, cases["town"])
    assert complaint.accepted_by_id == mediator.user_id
    assert [e.kind for e in detail.events][-1] == "accepted"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "complaint.accepted")
    ).one()
    assert (entry.entity, entry.entity_key, entry.actor_id) == (
        "complaint",
        str(cases["town"]),
        mediator.user_id,
    )
    assert (entry.before, entry.after) == ({"status": "received"}, {"status": "accepted"})
    with pytest.raises(Conflict):
        mediation.accept(session, mediator, cases["town"], now=NOW)


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("inspector.lucheng", Forbidden),
        ("admin", Forbidden),
        ("mediator.enterprise", NotFound),
        ("employer.c", NotFound),
    ],
)
def test_only_the_committees_mediators_act(places: Places, session, cases, username, error):
    with pytest.raises(error):
        mediation.accept(session, places.actor(session, username), cases["town"], now=NOW)


def test_a_session_needs_an_accepted_case_a_valid_day_and_a_note(places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")
    with pytest.raises(Conflict):
        mediation.record_session(session, mediator, cases["town"], "2026-10-09", "谈话", now=NOW)
    mediation.accept(session, mediator, cases["town"], now=NOW)

    for held_on in ("2026-10-07", "2026-10-13", "yesterday"):  # before receipt, future, junk
        with pytest.raises(Invalid) as refused:
            mediation.record_session(session, mediator, cases["town"], held_on, "谈话", now=NOW)
        assert set(refused.value.detail) == {"held_on"}
    with pytest.raises(Invalid) as refused:
        mediation.record_session(session, mediator, cases["town"], "2026-10-09", " ", now=NOW)
    assert set(refused.value.detail["note"]) == {"zh-CN", "en"}


def test_a_session_is_recorded(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")
    mediation.accept(session, mediator, cases["town"], now=NOW)

    detail = mediation.record_session(
        session,
        mediator,
        cases["town"],
        date(2026, 10, 12),
        "双方到场，用人单位同意核对工资表。",
        now=NOW,
    )

    [meeting] = detail.sessions
    assert (meeting.held_on, meeting.note) == (
        date(2026, 10, 12),
        "双方到场，用人单位同意核对工资表。",
    )
    assert [e.kind for e in detail.events][-1] == "session"


def test_an_agreement_needs_an_amount_and_a_payment_day(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")

    with pytest.raises(Invalid) as refused:
        mediation.close(
            session,
            mediator,
            cases["town"],
            "agreement",
            payment_due_on="2026-10-11",
            now=NOW,
            reference=load_reference(),
        )

    assert set(refused.value.detail) == {"agreement_amount", "payment_due_on"}
    assert session.get(Complaint, cases["town"]).status == "received"


def test_closing_with_an_agreement(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")
    mediation.accept(session, mediator, cases["town"], now=NOW)

    detail = mediation.close(
        session,
        mediator,
        cases["town"],
        "agreement",
        agreement_amount="11,500.00",
        payment_due_on="2026-10-30",
        note="分两次支付",
        now=NOW,
        reference=load_reference(),
    )

    assert (detail.status, detail.outcome, detail.outcome_amount_fen) == (
        "closed",
        "agreement",
        1_150_000,
    )
    assert (detail.payment_due_on, detail.closed_on) == (date(2026, 10, 30), date(2026, 10, 12))
    assert detail.outcome_note == "分两次支付" and detail.arbitration_deadline is None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint.closed")).one()
    assert entry.after == {
        "status": "closed",
        "outcome": "agreement",
        "outcome_amount_fen": 1_150_000,
        "payment_due_on": "2026-10-30",
    }


def test_a_failure_points_to_arbitration_within_the_limitation(places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")

    detail = mediation.close(
        session, mediator, cases["town"], "failure", now=NOW, reference=load_reference()
    )

    assert detail.arbitration_deadline == date(2027, 10, 8)  # a year from receipt on 2026-10-08
    assert detail.outcome_amount_fen is None and detail.payment_due_on is None


def test_a_worker_may_withdraw_before_acceptance(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")

    detail = mediation.close(
        session, mediator, cases["town"], "withdrawal", now=NOW, reference=load_reference()
    )

    assert (detail.status, detail.outcome) == ("closed", "withdrawal")


def test_an_unknown_outcome_is_refused(places: Places, session, cases) -> None:
    with pytest.raises(Invalid) as refused:
        mediation.close(
            session,
            places.actor(session, "mediator.town"),
            cases["town"],
            "settled",
            now=NOW,
            reference=load_reference(),
        )

    assert set(refused.value.detail) == {"outcome"}


def test_a_closed_case_cannot_change(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")
    mediation.close(
        session, mediator, cases["town"], "withdrawal", now=NOW, reference=load_reference()
    )

    with pytest.raises(Conflict):
        mediation.accept(session, mediator, cases["town"], now=NOW)
    with pytest.raises(Conflict):
        mediation.record_session(session, mediator, cases["town"], "2026-10-12", "x", now=NOW)
    with pytest.raises(Conflict):
        mediation.close(
            session, mediator, cases["town"], "failure", now=NOW, reference=load_reference()
        )
    assert session.get(Complaint, cases["town"]).outcome == "withdrawal"


def test_no_audit_entry_holds_the_workers_identity(places: Places, session, cases) -> None:
    mediator = places.actor(session, "mediator.town")
    mediation.accept(session, mediator, cases["town"], now=NOW)
    mediation.record_session(session, mediator, cases["town"], "2026-10-12", "谈话", now=NOW)
    mediation.close(
        session, mediator, cases["town"], "failure", now=NOW, reference=load_reference()
    )

    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "complaint")).all()

    assert len(entries) == 3
    for entry in entries:
        assert "张三" not in str(entry.after) and "13800000001" not in str(entry.after)
        assert entry.employer_id is None  # kept out of the employer's audit trail


# --- the mediation deadline and its reminders ----------------------------------------------------


def received(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def test_a_receipt_before_the_national_day_holiday_is_due_after_it(places, session) -> None:
    complaint_id = to_town(places, received_at=received(date(2026, 9, 20)))

    assert session.get(Complaint, complaint_id).mediation_due_on == date(2026, 10, 8)


def test_reminders_cover_the_days_before_the_deadline_and_the_deadline(places, session) -> None:
    complaint_id = to_town(places)  # received 2026-10-08, due Friday 2026-10-23
    due = date(2026, 10, 23)
    first = due - timedelta(days=REMINDER_DAYS)

    assert (
        mediation.due_reminders(session, first - timedelta(days=1), reference=load_reference())
        == []
    )
    [reminder] = mediation.due_reminders(session, first, reference=load_reference())
    assert (reminder.complaint_id, reminder.days_left) == (complaint_id, REMINDER_DAYS)
    assert reminder.committee_id == places.town_committee
    assert [
        r.days_left for r in mediation.due_reminders(session, due, reference=load_reference())
    ] == [0]
    assert (
        mediation.due_reminders(session, due + timedelta(days=1), reference=load_reference()) == []
    )


def test_a_case_is_reminded_once_a_day(places: Places, session) -> None:
    complaint_id = to_town(places)
    first = date(2026, 10, 23) - timedelta(days=REMINDER_DAYS)

    assert len(mediation.due_reminders(session, first, reference=load_reference())) == 1
    assert mediation.due_reminders(session, first, reference=load_reference()) == []
    assert (
        len(mediation.due_reminders(session, first + timedelta(days=1), reference=load_reference()))
        == 1
    )
    notes = session.scalars(
        select(ComplaintEvent.note).where(
            ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.kind == "reminder"
        )
    ).all()
    assert sorted(notes) == [first.isoformat(), (first + timedelta(days=1)).isoformat()]


def test_closed_cases_are_not_reminded(places: Places, session) -> None:
    complaint_id = to_town(places)
    mediation.close(
        session,
        places.actor(session, "mediator.town"),
        complaint_id,
        "withdrawal",
        now=NOW,
        reference=load_reference(),
    )

    assert mediation.due_reminders(session, date(2026, 10, 23), reference=load_reference()) == []
    assert session.scalars(select(MediationSession)).all() == []
