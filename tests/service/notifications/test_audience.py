"""Inspectors receive only their place: every message is checked against its recipient's
current entitlement at send time, and a change of scope prunes subscriptions. Delivered
through the real sender to a real SMTP server, counting the e-mails."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.auth.actors import Actor
from service.auth.models import User
from service.committees.models import MediationCommittee
from service.db import session_scope
from service.employers.models import Employer
from service.notifications.models import AlertSubscription
from service.notifications.sender import deliver_due
from service.notifications.service import (
    notify_case_new,
    notify_employer_complaint,
    notify_group_complaint,
    notify_new_alerts,
)
from service.users import service as users
from service.users.models import UserUpdate
from tests.conftest import shared_reference
from tests.service.notifications.conftest import (
    CITY,
    LUCHENG,
    NOW,
    OUHAI,
    USERS,
    make_alert,
    make_complaint,
    outbox,
    subscribe,
)

ADMIN = Actor(user_id=None, username="admin", role="admin")
LATER = NOW + timedelta(days=1, hours=1)  # past the next digest hour


def address(username: str) -> str:
    return USERS[username][2]


def move(world, username: str, *codes: str) -> None:
    """The administrator changes the inspector's scope, as the admin page does."""
    with session_scope(world.engine) as session:
        users.update(
            session=session,
            actor=ADMIN,
            user_id=world.users[username],
            data=UserUpdate(jurisdictions=list(codes)),
        )


def critical_alerts_and_group_complaint_in_ouhai(world, settings, period: str) -> None:
    with session_scope(world.engine) as session:
        alert = make_alert(
            session, world, employer_id=world.employer_c, severity="critical", period=period
        )
        notify_new_alerts(session, [alert.id], now=NOW, settings=settings)
        complaint = make_complaint(
            session,
            world,
            employer_id=world.employer_c,
            county_code=OUHAI,
            town="娄桥街道",
            committee_id=None,
            workers_affected=40,
        )
        notify_group_complaint(
            session, complaint.id, settings=settings, reference=shared_reference()
        )


def sent_to(smtp_server, username: str) -> list:
    return [r for r in smtp_server.received if r.to == address(username)]


async def test_an_inspector_moved_away_receives_nothing_more_of_the_old_place(
    world, smtp_server, settings
):
    with session_scope(world.engine) as session:
        subscribe(session, world, "insp.b", OUHAI, "low")
    critical_alerts_and_group_complaint_in_ouhai(world, settings, "2026-09")
    # Queued for insp.b while it covered Ouhai; it moves to Lucheng before the sender runs.
    queued = [m.kind for m in outbox(world.engine) if m.to_address == address("insp.b")]
    assert sorted(queued) == ["alert_critical", "group_complaint_alert"]
    move(world, "insp.b", LUCHENG)

    await deliver_due(world.engine, settings, datetime.now(UTC))
    critical_alerts_and_group_complaint_in_ouhai(world, settings, "2026-10")  # more news
    await deliver_due(world.engine, settings, datetime.now(UTC))

    assert sent_to(smtp_server, "insp.b") == []
    assert len(sent_to(smtp_server, "insp.city")) == 4  # the city's inspector hears of both
    withdrawn = outbox(world.engine, status="withdrawn")
    assert {m.to_address for m in withdrawn} == {address("insp.b")}
    assert all("no longer covers 330304/娄桥街道" in m.last_error for m in withdrawn)


async def test_the_moved_inspector_hears_of_the_new_place(world, smtp_server, settings):
    move(world, "insp.b", LUCHENG)
    with session_scope(world.engine) as session:
        alert = make_alert(session, world, employer_id=world.employer_a, severity="critical")
        notify_new_alerts(session, [alert.id], now=NOW, settings=settings)
    await deliver_due(world.engine, settings, datetime.now(UTC))
    assert len(sent_to(smtp_server, "insp.b")) == 1


def test_a_change_of_scope_prunes_the_subscriptions_left_outside(world):
    with session_scope(world.engine) as session:
        subscribe(session, world, "insp.city", OUHAI, "low")
        subscribe(session, world, "insp.city", f"{LUCHENG}/双屿街道", "medium")
    move(world, "insp.city", LUCHENG)
    with session_scope(world.engine) as session:
        left = session.scalars(
            select(AlertSubscription.jurisdiction_code).where(
                AlertSubscription.user_id == world.users["insp.city"]
            )
        ).all()
    assert left == [f"{LUCHENG}/双屿街道"]


async def test_a_digest_keeps_only_the_places_the_inspector_still_covers(
    world, smtp_server, settings
):
    with session_scope(world.engine) as session:
        subscribe(session, world, "insp.city", CITY, "low")
        in_lucheng = make_alert(session, world, employer_id=world.employer_a, severity="high")
        in_ouhai = make_alert(
            session, world, employer_id=world.employer_c, severity="high", period="2026-09"
        )
        notify_new_alerts(session, [in_lucheng.id, in_ouhai.id], now=NOW, settings=settings)
    [digest] = outbox(world.engine, kind="alert_digest", to_address=address("insp.city"))
    assert f"/inspector/alerts/{in_ouhai.id}" in digest.body_text
    move(world, "insp.city", LUCHENG)

    await deliver_due(world.engine, settings, LATER)

    [mail] = sent_to(smtp_server, "insp.city")
    assert f"/inspector/alerts/{in_lucheng.id}" in mail.text
    assert f"/inspector/alerts/{in_ouhai.id}" not in mail.text + mail.html
    assert "温州瓯江建设有限公司" not in mail.text  # the Ouhai employer
    [stored] = outbox(world.engine, kind="alert_digest", to_address=address("insp.city"))
    assert stored.status == "sent" and stored.body_text == mail.text.replace("\r\n", "\n")


async def test_a_digest_with_no_place_left_is_withdrawn(world, smtp_server, settings):
    with session_scope(world.engine) as session:
        alert = make_alert(session, world, employer_id=world.employer_c, severity="high")
        notify_new_alerts(session, [alert.id], now=NOW, settings=settings)
    move(world, "insp.b", LUCHENG)
    await deliver_due(world.engine, settings, LATER)
    assert sent_to(smtp_server, "insp.b") == []
    [digest] = outbox(world.engine, kind="alert_digest", to_address=address("insp.b"))
    assert digest.status == "withdrawn"


async def test_a_deactivated_inspector_or_a_changed_address_receives_nothing_queued_before(
    world, smtp_server, settings
):
    with session_scope(world.engine) as session:
        alert = make_alert(session, world, employer_id=world.employer_a, severity="critical")
        notify_new_alerts(session, [alert.id], now=NOW, settings=settings)
        session.get(User, world.users["insp.a"]).is_active = False
        session.get(User, world.users["insp.town"]).email = "new.town@rsj.example.cn"
    await deliver_due(world.engine, settings, datetime.now(UTC))
    got = {r.to for r in smtp_server.received if "预警" in r.subject or "alert" in r.subject}
    assert address("insp.a") not in got and address("insp.town") not in got
    assert address("insp.a.en") in got and address("insp.city") in got


async def test_a_mediator_moved_to_another_committee_and_an_old_contact_get_nothing(
    world, smtp_server, settings
):
    with session_scope(world.engine) as session:
        complaint = make_complaint(session, world)
        notify_case_new(session, complaint.id, settings=settings, reference=shared_reference())
        notify_employer_complaint(
            session, complaint.id, settings=settings, reference=shared_reference()
        )
        other = MediationCommittee(
            code="MC-X", name="另一个调解委员会", kind="people", county_code=LUCHENG
        )
        session.add(other)
        session.flush()
        session.get(User, world.users["mediator.zh"]).committee_id = other.id
        session.get(MediationCommittee, world.committee).contact_email = "new-tj@example.org"
        session.get(Employer, world.employer_a).contact_email = "new-hr@shoes.example.cn"
    await deliver_due(world.engine, settings, datetime.now(UTC))
    assert {r.to for r in smtp_server.received} == {address("mediator.en")}
    reasons = {m.to_address: m.last_error for m in outbox(world.engine, status="withdrawn")}
    assert "no longer a mediator of the committee" in reasons[address("mediator.zh")]
    assert "contact address" in reasons["shuangyu-tj@example.org"]
    assert "contact address" in reasons["hr@shoes.example.cn"]
