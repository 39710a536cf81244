"""The worker's status page behind code and PIN: what it shows, what a refusal reveals
(nothing), the growing delays, and the keyed PIN hash."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from monitors.reference import load_reference
from service.auth.passwords import hash_password
from service.complaints.models import Complaint
from service.complaints.pins import pin_digest, pin_matches
from service.complaints.tracking import (
    TrackingLimits,
    TrackingRefused,
    delay_after,
    status_for,
    take_attempt,
)
from service.db import session_scope
from service.mediation import service as mediation
from tests.service.complaints.conftest import TOWN, Places, file

NOW = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
LIMITS = TrackingLimits(free_failures=5, max_delay=timedelta(hours=1), attempts_per_address=1000)


def other_pin(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def look_up(
    places: Places,
    code: str,
    pin: str,
    now: datetime = NOW,
    address: str = "203.0.113.1",
    limits: TrackingLimits = LIMITS,
):
    """As a request does: the attempt is counted and committed, then the PIN is checked in a
    transaction that rolls back when it is refused."""
    with session_scope(places.engine) as session:
        attempt = take_attempt(session, tracking_code=code, address=address, now=now, limits=limits)
        session.commit()
        return status_for(session, attempt, pin, reference=load_reference())


def refused(places: Places, code: str, pin: str, **kwargs) -> dict:
    with pytest.raises(TrackingRefused) as refusal:
        look_up(places, code, pin, **kwargs)
    return refusal.value.detail


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


def test_a_wrong_pin_an_unknown_code_and_a_running_delay_get_the_same_answer(places, session):
    filed = file(places.engine)
    wrong_pin = refused(places, filed.tracking_code, other_pin(filed.pin))
    unknown_code = refused(places, "WG2222222222", filed.pin)
    for _ in range(LIMITS.free_failures):
        refused(places, filed.tracking_code, other_pin(filed.pin))

    during_delay = refused(places, filed.tracking_code, filed.pin)  # even the right PIN

    assert wrong_pin == unknown_code == during_delay
    assert set(wrong_pin) == {"zh-CN", "en"}


def test_a_wrong_pin_counts_although_its_request_fails(places: Places, session) -> None:
    filed = file(places.engine)

    refused(places, filed.tracking_code, other_pin(filed.pin))

    assert session.get(Complaint, filed.complaint_id).pin_failures == 1


def test_free_tries_then_delays_that_double_up_to_the_cap(places: Places, session) -> None:
    filed = file(places.engine)
    wrong = other_pin(filed.pin)
    for _ in range(LIMITS.free_failures):
        refused(places, filed.tracking_code, wrong)
    assert session.get(Complaint, filed.complaint_id).locked_until is None

    refused(places, filed.tracking_code, wrong)  # the first attempt beyond: a minute's wait

    session.expire_all()
    assert session.get(Complaint, filed.complaint_id).locked_until == NOW + timedelta(minutes=1)
    assert [delay_after(n, LIMITS.max_delay) for n in (1, 2, 3, 7, 8, 500)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 60, 60, 60)
    ]


def test_attempts_during_a_delay_do_not_extend_it_and_the_worker_gets_in_after_it(places, session):
    filed = file(places.engine)
    for _ in range(LIMITS.free_failures + 1):
        refused(places, filed.tracking_code, other_pin(filed.pin))
    for _ in range(20):  # a stranger hammering during the delay
        refused(places, filed.tracking_code, other_pin(filed.pin), now=NOW + timedelta(seconds=30))
    session.expire_all()
    assert session.get(Complaint, filed.complaint_id).locked_until == NOW + timedelta(minutes=1)

    status = look_up(places, filed.tracking_code, filed.pin, now=NOW + timedelta(minutes=1))

    assert status.tracking_code == filed.tracking_code
    session.expire_all()
    complaint = session.get(Complaint, filed.complaint_id)
    assert (complaint.pin_failures, complaint.locked_until) == (0, None)


def test_an_address_over_its_limit_is_refused_even_with_the_right_pin(places: Places) -> None:
    filed = file(places.engine)
    limits = TrackingLimits(free_failures=100, max_delay=timedelta(hours=1), attempts_per_address=3)
    for _ in range(3):
        refused(places, "WG2222222222", "000000", limits=limits)

    refused(places, filed.tracking_code, filed.pin, limits=limits)
    assert look_up(places, filed.tracking_code, filed.pin, limits=limits, address="198.51.100.7")


def test_the_pin_is_stored_as_a_keyed_hash_bound_to_its_code(places: Places, session) -> None:
    filed = file(places.engine)
    stored = session.get(Complaint, filed.complaint_id).pin_hash

    assert stored == pin_digest(tracking_code=filed.tracking_code, pin=filed.pin)
    assert filed.pin not in stored and not stored.startswith("$argon2")
    assert stored != pin_digest(tracking_code=filed.tracking_code, pin=filed.pin, secret="other")
    assert not pin_matches(tracking_code="WG2222222222", pin=filed.pin, stored=stored)


def test_a_complaint_hashed_with_argon2_still_opens_and_moves_to_the_keyed_hash(places, session):
    filed = file(places.engine)
    with session_scope(places.engine) as writing:
        writing.execute(
            update(Complaint)
            .where(Complaint.id == filed.complaint_id)
            .values(pin_hash=hash_password(filed.pin))
        )
    refused(places, filed.tracking_code, other_pin(filed.pin))

    assert look_up(places, filed.tracking_code, filed.pin).tracking_code == filed.tracking_code

    session.expire_all()
    stored = session.get(Complaint, filed.complaint_id).pin_hash
    assert stored == pin_digest(tracking_code=filed.tracking_code, pin=filed.pin)


def test_the_worker_sees_the_outcome_and_where_to_go_next(places: Places, session) -> None:
    filed = file(places.engine, employer_id=str(places.employer_c), town=TOWN)
    mediator = places.actor(session, "mediator.town")
    mediation.accept(session, mediator, filed.complaint_id, now=NOW)
    mediation.close(
        session,
        mediator,
        filed.complaint_id,
        "failure",
        note="用人单位拒绝调解",
        now=NOW,
        reference=load_reference(),
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
        reference=load_reference(),
    )
    session.commit()

    status = look_up(places, filed.tracking_code, filed.pin)

    assert status.next_deadline.kind == "payment"
    assert status.next_deadline.on == date(2026, 10, 30)
    assert status.outcome_amount_fen == 1_200_000


def test_a_known_device_gets_in_while_a_strangers_delays_run(places: Places, session) -> None:
    filed = file(places.engine)
    for _ in range(LIMITS.free_failures + 3):
        refused(places, filed.tracking_code, other_pin(filed.pin))
    with session_scope(places.engine) as own:
        attempt = take_attempt(
            own,
            tracking_code=filed.tracking_code,
            address="203.0.113.1",
            now=NOW,
            limits=LIMITS,
            device="case:phone-of-the-worker",
        )
        own.commit()
        assert (
            status_for(own, attempt, filed.pin, reference=load_reference()).tracking_code
            == filed.tracking_code
        )

    # The stranger's count is untouched: its delays go on.
    session.expire_all()
    complaint = session.get(Complaint, filed.complaint_id)
    assert complaint.pin_failures == LIMITS.free_failures + 1
    assert complaint.locked_until == NOW + timedelta(minutes=1)
