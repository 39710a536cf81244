"""The worker's status page behind code and PIN: what it shows, what a wrong PIN reveals
(nothing), and the lock-out."""

from datetime import UTC, date, datetime, timedelta

import pytest

from service.complaints.models import Complaint
from service.complaints.tracking import (
    LOCK_MINUTES,
    MAX_PIN_FAILURES,
    TrackingLocked,
    TrackingRefused,
    status_for,
)
from service.db import session_scope
from service.mediation import service as mediation
from tests.service.complaints.conftest import TOWN, Places, file

NOW = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)


def other_pin(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def look_up(places: Places, code: str, pin: str, now: datetime = NOW):
    """As a request does: its own transaction, rolled back when the lookup fails."""
    with session_scope(places.engine) as session:
        return status_for(session, code, pin, now)


def test_the_right_pin_shows_the_case(places: Places) -> None:
    filed = file(places.engine, employer_id=str(places.employer_c), town=TOWN)

    status = look_up(places, filed.tracking_code, filed.pin)

    assert (status.tracking_code, status.status, status.kind) == (
        filed.tracking_code,
        "received",
        "unpaid_wages",
    )
    assert status.committee_name == "五马街道人民调解委员会"
    assert status.committee_kind == "people" and status.handled_by is None
    assert status.routing_reason_zh == filed.routing_reason_zh
    assert status.routing_reason_en == filed.routing_reason_en
    assert status.next_deadline.kind == "mediation_period"
    assert status.next_deadline.on == date(2026, 10, 23)
    assert [e.kind for e in status.events] == ["received", "routed"]
    assert all(e.note is None for e in status.events)


def test_the_code_may_be_typed_loosely(places: Places) -> None:
    filed = file(places.engine)
    code = filed.tracking_code

    status = look_up(places, f" {code[:6].lower()}-{code[6:]} ", f" {filed.pin} ")

    assert status.tracking_code == code


def test_unpaid_wages_and_injuries_show_the_legal_aid_green_channel(places: Places) -> None:
    wages = file(places.engine)
    injury = file(places.engine, kind="work_injury")
    no_contract = file(places.engine, kind="no_contract")

    aid = look_up(places, wages.tracking_code, wages.pin).legal_aid
    assert aid.phone == "12348"
    assert (aid.centre_zh, aid.centre_en) == (
        "鹿城区法律援助中心",
        "Legal Aid Centre of Lucheng District",
    )
    assert "第四十二条" in aid.legal_basis_zh and "Art. 42" in aid.legal_basis_en
    assert "绿色通道" in aid.text_zh and "green channel" in aid.text_en
    assert look_up(places, injury.tracking_code, injury.pin).legal_aid is not None
    assert look_up(places, no_contract.tracking_code, no_contract.pin).legal_aid is None


def test_a_wrong_pin_and_an_unknown_code_get_the_same_answer(places: Places) -> None:
    filed = file(places.engine)

    with pytest.raises(TrackingRefused) as wrong_pin:
        look_up(places, filed.tracking_code, other_pin(filed.pin))
    with pytest.raises(TrackingRefused) as unknown_code:
        look_up(places, "WG2222222222", filed.pin)

    assert wrong_pin.value.detail == unknown_code.value.detail
    assert set(wrong_pin.value.detail) == {"zh-CN", "en"}
    assert wrong_pin.value.status_code == unknown_code.value.status_code


def test_a_wrong_pin_counts_although_its_request_fails(places: Places, session) -> None:
    filed = file(places.engine)

    with pytest.raises(TrackingRefused):
        look_up(places, filed.tracking_code, other_pin(filed.pin))

    assert session.get(Complaint, filed.complaint_id).pin_failures == 1


def test_repeated_wrong_pins_lock_the_code(places: Places, session) -> None:
    filed = file(places.engine)
    wrong = other_pin(filed.pin)
    for _ in range(MAX_PIN_FAILURES - 1):
        with pytest.raises(TrackingRefused):
            look_up(places, filed.tracking_code, wrong)
    with pytest.raises(TrackingRefused):  # the last wrong PIN: refused, and now locked
        look_up(places, filed.tracking_code, wrong)

    with pytest.raises(TrackingLocked) as locked:
        look_up(places, filed.tracking_code, filed.pin)  # even the right PIN

    assert str(LOCK_MINUTES) in locked.value.detail["en"]
    assert filed.tracking_code not in str(locked.value.detail)
    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.locked_until == NOW + timedelta(minutes=LOCK_MINUTES)


def test_fewer_wrong_pins_do_not_lock_and_the_right_pin_resets_the_count(places, session):
    filed = file(places.engine)
    for _ in range(MAX_PIN_FAILURES - 1):
        with pytest.raises(TrackingRefused):
            look_up(places, filed.tracking_code, other_pin(filed.pin))

    look_up(places, filed.tracking_code, filed.pin)

    assert session.get(Complaint, filed.complaint_id).pin_failures == 0


def test_the_code_opens_again_when_the_lock_expires(places: Places, session) -> None:
    filed = file(places.engine)
    for _ in range(MAX_PIN_FAILURES):
        with pytest.raises(TrackingRefused):
            look_up(places, filed.tracking_code, other_pin(filed.pin))
    unlocked = NOW + timedelta(minutes=LOCK_MINUTES)

    with pytest.raises(TrackingLocked):
        look_up(places, filed.tracking_code, filed.pin, unlocked - timedelta(seconds=1))
    status = look_up(places, filed.tracking_code, filed.pin, unlocked)

    assert status.tracking_code == filed.tracking_code
    complaint = session.get(Complaint, filed.complaint_id)
    assert (complaint.pin_failures, complaint.locked_until) == (0, None)


def test_the_worker_sees_the_outcome_and_where_to_go_next(places: Places, session) -> None:
    filed = file(places.engine, employer_id=str(places.employer_c), town=TOWN)
    mediator = places.actor(session, "mediator.town")
    mediation.accept(session, mediator, filed.complaint_id, now=NOW)
    mediation.close(
        session, mediator, filed.complaint_id, "failure", note="用人单位拒绝调解", now=NOW
    )
    session.commit()

    status = look_up(places, filed.tracking_code, filed.pin)

    assert (status.status, status.outcome) == ("closed", "failure")
    assert status.status_en == "Closed: mediation failed"
    assert status.handled_by == "mediator.town"
    assert status.outcome_note == "用人单位拒绝调解"
    assert status.next_deadline.kind == "arbitration"
    assert status.next_deadline.on == status.arbitration_deadline == date(2027, 10, 8)
    assert "2027-10-08" in status.arbitration_zh and "2027-10-08" in status.arbitration_en
    assert "第二十七条" in status.arbitration_zh
    assert [e.kind for e in status.events] == ["received", "routed", "accepted", "closed"]


def test_an_agreement_shows_the_payment_day(places: Places, session) -> None:
    filed = file(places.engine, employer_id=str(places.employer_c), town=TOWN)
    mediation.close(
        session,
        places.actor(session, "mediator.town"),
        filed.complaint_id,
        "agreement",
        agreement_amount="12000",
        payment_due_on="2026-10-30",
        now=NOW,
    )
    session.commit()

    status = look_up(places, filed.tracking_code, filed.pin)

    assert status.next_deadline.kind == "payment"
    assert status.next_deadline.on == date(2026, 10, 30)
    assert status.outcome_amount_fen == 1_200_000
