"""Who is told what, in which language — delivered through the real sender to a real SMTP
server where it matters."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from service import db
from service.alerts.models import Alert
from service.auth.actors import Actor
from service.auth.models import User
from service.db import session_scope
from service.employers.models import Employer
from service.errors import Invalid, NotFound
from service.notifications import service as notifications
from service.notifications.models import OutboxMessage
from service.notifications.sender import deliver_due
from service.notifications.service import (
    CRITICAL_LISTED,
    next_digest_at,
    notify_case_new,
    notify_case_reminder,
    notify_employer_complaint,
    notify_group_complaint,
    notify_new_alerts,
    notify_proof_decision,
)
from service.notifications.subscriptions import Follow, follows_of, replace_subscriptions
from tests.conftest import shared_reference
from tests.service.notifications.conftest import (
    CITY,
    COMMITTEE_CONTACT,
    LUCHENG,
    NOW,
    OUHAI,
    SHUANGYU,
    USERS,
    add_event,
    mail_settings,
    make_alert,
    make_complaint,
    make_proof,
    new_run,
    outbox,
    subscribe,
)

ADMIN = Actor(user_id=None, username="admin", role="admin")


def address(username: str) -> str:
    return USERS[username][2]


def recipients(engine, kind: str) -> dict[str, OutboxMessage]:
    return {m.to_address: m for m in outbox(engine, kind=kind)}


def alerts(world, *specs: tuple[str, str]) -> list[int]:
    """(employer, severity) pairs → alert ids, each opened by the world's run."""
    employers = {"a": world.employer_a, "b": world.employer_b, "c": world.employer_c}
    with session_scope(world.engine) as session:
        return [
            make_alert(session, world, employer_id=employers[e], severity=s, period=_period()).id
            for e, s in specs
        ]


_periods = itertools.count()


def _period() -> str:
    """A distinct period per alert: the alert key includes it."""
    n = next(_periods)
    return f"{2000 + n // 12}-{n % 12 + 1:02d}"


def notify(world, alert_ids, now=NOW, settings=None) -> int:
    with session_scope(world.engine) as session:
        return notify_new_alerts(
            session, alert_ids, now=now, settings=settings or mail_settings(8025)
        )


# --- critical alerts ----------------------------------------------------------------------


async def test_inspectors_following_the_place_get_a_critical_alert_at_once(
    world, smtp_server, settings
):
    [alert_id] = alerts(world, ("a", "critical"))
    notify(world, [alert_id], settings=settings)

    got = recipients(world.engine, "alert_critical")
    # County, town and city inspectors follow employer A's place; Ouhai's does not; no
    # address or an inactive account: skipped.
    assert set(got) == {
        address("insp.a"),
        address("insp.a.en"),
        address("insp.town"),
        address("insp.city"),
    }
    assert got[address("insp.a.en")].language == "en"
    assert got[address("insp.a")].language == "zh-CN"

    assert await deliver_due(world.engine, settings, datetime.now(UTC)) == 5  # + employer
    received = {r.to: r for r in smtp_server.received}
    zh, en = received[address("insp.a")], received[address("insp.a.en")]
    assert "特别严重预警" in zh.subject and "温州鹿城鞋业有限公司" in zh.subject
    assert "工资" in zh.text and "鹿城区 双屿街道" in zh.text
    assert "critical alert" in en.subject
    assert "Shuangyu Subdistrict, Lucheng District" in en.text
    assert f"https://wageguard.test/inspector/alerts/{alert_id}" in en.text
    assert "¥12,345.00" in en.html
    assert address("insp.b") not in received


async def test_a_runs_alert_e_mails_are_worded_as_they_leave(world, smtp_server, settings):
    ids = alerts(world, ("a", "critical"), ("a", "high"))
    notify(world, ids, settings=settings)
    with db.session_scope(world.engine) as session:
        queued = session.scalars(select(OutboxMessage)).all()
        digests = sum(m.kind == "alert_digest" for m in queued)
        # Queued by the run without their words, naming the alerts they are about.
        assert {m.kind for m in queued} == {
            "alert_critical",
            "alert_digest",
            "employer_alert_notice",
        }
        assert all(m.subject is None and m.body_text is None for m in queued)
        notice = next(m for m in queued if m.kind == "employer_alert_notice")
        assert notice.alert_ids == sorted(ids)
        # Renamed before the e-mails leave: they say what stands when they do.
        employer = session.get(Employer, world.employer_a)
        employer.name = "温州鹿城鞋业集团有限公司"
    # The digests wait for the digest hour; the rest leave at once.
    assert await deliver_due(world.engine, settings, NOW) == 5
    assert await deliver_due(world.engine, settings, NOW + timedelta(days=1)) == digests
    received = {r.message_id: r for r in smtp_server.received}
    sent = outbox(world.engine, status="sent")
    assert {m.kind for m in sent} == {"alert_critical", "alert_digest", "employer_alert_notice"}
    for row in sent:
        got = received[row.message_id]
        assert (got.subject, got.text.strip()) == (row.subject, (row.body_text or "").strip())
        assert "温州鹿城鞋业集团有限公司" in got.text, row.kind


async def test_an_alert_e_mail_whose_alerts_are_gone_is_withdrawn_unworded(
    world, smtp_server, settings
):
    [alert_id] = alerts(world, ("a", "critical"))
    notify(world, [alert_id], settings=settings)
    with db.session_scope(world.engine) as session:
        session.execute(update(OutboxMessage).values(alert_ids=[alert_id + 1000]))
    assert await deliver_due(world.engine, settings, datetime.now(UTC)) == 0
    rows = outbox(world.engine, kind="employer_alert_notice", status="withdrawn")
    assert rows and "its alerts or its recipient are gone" in (rows[0].last_error or "")
    assert smtp_server.received == []


async def test_an_alert_e_mail_that_cannot_be_worded_waits_for_a_retry_and_stalls_nothing(
    world, smtp_server, settings, monkeypatch
):
    notify(world, alerts(world, ("a", "critical")), settings=settings)
    words = notifications.worded_alert_mail

    def failing_for_the_employer(session, message, settings):
        if message.kind == "employer_alert_notice":
            raise KeyError("a template's missing word")
        return words(session, message, settings)

    monkeypatch.setattr(notifications, "worded_alert_mail", failing_for_the_employer)
    assert await deliver_due(world.engine, settings, NOW) == 4  # the inspectors' e-mails
    [notice] = outbox(world.engine, kind="employer_alert_notice")
    assert (notice.status, notice.attempts) == ("pending", 1)
    assert "not worded: KeyError" in (notice.last_error or "")
    monkeypatch.undo()
    assert await deliver_due(world.engine, settings, NOW + timedelta(hours=1)) == 1


def test_an_inspector_of_another_county_is_not_told(world):
    [alert_id] = alerts(world, ("b", "critical"))
    notify(world, [alert_id])
    assert set(recipients(world.engine, "alert_critical")) == {
        address("insp.b"),
        address("insp.city"),
    }


async def test_a_runs_critical_alerts_reach_an_inspector_in_one_e_mail_per_employer(
    world, smtp_server, settings
):
    first, second, elsewhere = alerts(
        world, ("a", "critical"), ("a", "critical"), ("c", "critical")
    )
    notify(world, [first, second, elsewhere], settings=settings)

    # The city inspector follows both places: one e-mail per employer, each listing its own.
    to_city = outbox(world.engine, kind="alert_critical", to_address=address("insp.city"))
    assert len(to_city) == 2
    await deliver_due(world.engine, settings, datetime.now(UTC))
    received = [r for r in smtp_server.received if r.to == address("insp.city")]
    about_a = next(r for r in received if "温州鹿城鞋业有限公司" in r.subject)
    assert "等 2 项" in about_a.subject
    assert "有 2 项特别严重预警" in about_a.text
    assert about_a.text.count("用人单位：") == 1  # named once, above its alerts
    for alert_id in (first, second):
        assert f"/inspector/alerts/{alert_id}" in about_a.text
        assert f"/inspector/alerts/{alert_id}" in about_a.html
    assert f"/inspector/alerts/{elsewhere}" not in about_a.text
    [about_c] = [r for r in received if r is not about_a]
    assert "等" not in about_c.subject and "有一项特别严重预警" in about_c.text


def test_a_critical_e_mail_lists_twenty_alerts_and_counts_the_rest(world):
    """A mass event at one employer: the e-mail stays readable and points to the inbox."""
    ids = alerts(world, *[("a", "critical")] * (CRITICAL_LISTED + 1))
    notify(world, ids)
    [to_city] = outbox(world.engine, kind="alert_critical", to_address=address("insp.city"))
    assert f"等 {CRITICAL_LISTED + 1} 项" in to_city.subject
    listed = [
        alert_id for alert_id in ids if f"/inspector/alerts/{alert_id}\n" in to_city.body_text
    ]
    assert listed == ids[:CRITICAL_LISTED]
    with session_scope(world.engine) as session:
        employer_a = session.get(Employer, world.employer_a).uscc
    inbox = f"/inspector/alerts?severity=critical&q={employer_a}"
    assert (
        f"另有 1 项特别严重预警未在此列出，请在预警收件箱查看：https://wageguard.test{inbox}"
        in (to_city.body_text)
    )
    assert inbox.replace("&", "&amp;") in to_city.body_html


async def test_a_critical_e_mail_leaves_with_only_the_alerts_still_open(
    world, smtp_server, settings
):
    """Held while the mail server was down, the e-mail no longer alarms the inspector about an
    alert the employer settled meanwhile; with none left open, it does not go at all."""
    paid, unpaid, settled = alerts(world, ("a", "critical"), ("a", "critical"), ("c", "critical"))
    notify(world, [paid, unpaid, settled], settings=settings)
    with session_scope(world.engine) as session:
        for alert_id in (paid, settled):
            session.get(Alert, alert_id).status = "resolved"
    await deliver_due(world.engine, settings, datetime.now(UTC))
    received = [r for r in smtp_server.received if r.to == address("insp.city")]
    [about_a] = received  # C's, whose only alert was resolved, was withdrawn
    assert "等" not in about_a.subject and "有一项特别严重预警" in about_a.text
    assert f"/inspector/alerts/{unpaid}" in about_a.text
    assert f"/inspector/alerts/{paid}" not in about_a.text + about_a.html
    to_city = outbox(world.engine, kind="alert_critical", to_address=address("insp.city"))
    assert sorted((m.status, m.alert_ids) for m in to_city) == [
        ("sent", [unpaid]),
        ("withdrawn", [settled]),
    ]
    assert (
        "still open when it left" in next(m for m in to_city if m.status == "withdrawn").last_error
    )


def test_the_same_opening_is_told_once_and_a_reopening_again(world):
    [alert_id] = alerts(world, ("a", "critical"))
    assert notify(world, [alert_id]) == 5
    assert notify(world, [alert_id]) == 0
    with session_scope(world.engine) as session:
        later = new_run(session, date(2026, 12, 3))
        add_event(session, world, session.get(Alert, alert_id), "reopened", run_id=later)
    assert notify(world, [alert_id]) == 5
    assert len(outbox(world.engine, kind="alert_critical")) == 8


def test_a_resolved_alert_is_not_told(world):
    [alert_id] = alerts(world, ("a", "critical"))
    with session_scope(world.engine) as session:
        session.get(Alert, alert_id).status = "resolved"
    assert notify(world, [alert_id]) == 0


def test_a_subscription_replaces_the_default_scope(world):
    with session_scope(world.engine) as session:
        # insp.b now follows only a town of its Ouhai, not the rest of Ouhai any more.
        subscribe(session, world, "insp.b", f"{OUHAI}/娄桥街道", "medium")
    [in_the_town, elsewhere] = alerts(world, ("c", "critical"), ("b", "critical"))
    notify(world, [in_the_town, elsewhere])
    to_b = [
        m for m in outbox(world.engine, kind="alert_critical") if m.to_address == address("insp.b")
    ]
    assert len(to_b) == 1 and f"/inspector/alerts/{in_the_town}" in to_b[0].body_text


def test_a_subscription_outside_the_inspectors_scope_brings_nothing(world):
    with session_scope(world.engine) as session:
        # Left over from before a move, or written around the subscription page's check.
        subscribe(session, world, "insp.b", f"{LUCHENG}/{SHUANGYU}", "medium")
    notify(world, alerts(world, ("a", "critical")))
    to = {m.to_address for m in outbox(world.engine, kind="alert_critical")}
    assert address("insp.b") not in to and address("insp.a") in to


# --- the employer's notice ----------------------------------------------------------------


def test_the_employer_gets_one_notice_listing_its_new_alerts_in_chinese(world):
    ids = alerts(world, ("a", "critical"), ("a", "medium"), ("b", "high"))
    notify(world, ids)
    notices = outbox(world.engine, kind="employer_alert_notice")
    # Employer B has no contact address.
    assert [(m.to_address, m.language) for m in notices] == [("hr@shoes.example.cn", "zh-CN")]
    body = notices[0].body_text
    assert "2 项情况" in body and "如何处理" in body
    assert "https://wageguard.test/employer" in body
    assert "/inspector/" not in body  # the employer's links lead to its own portal
    assert "510122199001010011" not in body  # evidence (workers) stays out


def test_every_alert_e_mail_names_the_project_before_its_code(world):
    with session_scope(world.engine) as session:
        alert = make_alert(
            session, world, employer_id=world.employer_c, severity="critical",
            project_code="330304202601010001",
        )  # fmt: skip
        high = make_alert(
            session, world, employer_id=world.employer_c, severity="high",
            project_code="330304202601010001", period="2026-09",
        )  # fmt: skip
    notify(world, [alert.id, high.id])
    critical = outbox(world.engine, kind="alert_critical", to_address=address("insp.b"))
    digest = outbox(world.engine, kind="alert_digest", to_address=address("insp.city"))
    notice = outbox(world.engine, kind="employer_alert_notice")
    for message in [*critical, *digest, *notice]:
        assert "瓯海大道改造工程（330304202601010001）" in message.body_text, message.kind
        assert "瓯海大道改造工程（330304202601010001）" in message.body_html, message.kind
    assert critical and digest and notice


def test_the_employer_notice_withholds_the_figures_of_complaint_alerts(world):
    with session_scope(world.engine) as session:
        overdue = make_alert(
            session, world, employer_id=world.employer_a, severity="high",
            rule="mediation.overdue", period="",
        )  # fmt: skip
    own = alerts(world, ("a", "medium"))
    notify(world, [overdue.id, *own])
    notices = outbox(world.engine, kind="employer_alert_notice")
    [held] = [n for n in notices if "调解超过法定期限" in n.body_text]
    [notice] = [n for n in notices if n is not held]
    mediation_part = held.body_text.split("调解超过法定期限", 1)[1].split("如何处理", 1)[0]
    assert "12,345.00" not in mediation_part and "涉及人数" not in mediation_part
    assert "12,345.00" in notice.body_text  # the wage alert about its own payroll keeps it
    # Told apart, from the Monday after the week it was first seen: its day dates the
    # complaint. First seen Monday 30 November 2026 → Monday 7 December, 00:00 in Wenzhou.
    assert _utc(held.not_before) == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    assert _utc(notice.not_before) < _utc(held.not_before)
    # The inspectors keep the figures.
    [digest] = outbox(world.engine, kind="alert_digest", to_address=address("insp.a"))
    assert "调解超过法定期限" in digest.body_text and "12,345.00" in digest.body_text


def _utc(moment: datetime) -> datetime:
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


# --- the daily digest ---------------------------------------------------------------------


def test_the_digest_time_is_the_next_digest_hour_in_wenzhou(settings):
    # 18:00 in Wenzhou → tomorrow 08:00 (00:00 UTC); 07:00 → today 08:00.
    assert next_digest_at(NOW, settings) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    early = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert next_digest_at(early, settings) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    exactly = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert next_digest_at(exactly, settings) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


async def test_the_digest_groups_the_non_critical_alerts_per_inspector(
    world, smtp_server, settings
):
    ids = alerts(world, ("a", "high"), ("a", "high"), ("a", "medium"), ("a", "low"))
    with session_scope(world.engine) as session:
        subscribe(session, world, "insp.a.en", LUCHENG, "medium")
    notify(world, ids, settings=settings)

    digests = recipients(world.engine, "alert_digest")
    assert set(digests) == {
        address("insp.a"),
        address("insp.a.en"),
        address("insp.town"),
        address("insp.city"),
    }
    assert not outbox(world.engine, kind="alert_critical")
    zh, en = digests[address("insp.a")], digests[address("insp.a.en")]
    assert zh.dedupe_key == f"digest:{world.users['insp.a']}:2026-12-01"
    assert zh.not_before == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert "2 条新预警" in zh.subject  # default: high and up
    assert "3 new alerts" in en.subject  # from medium up: not the low one
    assert f"/inspector/alerts/{ids[3]}" not in en.body_text

    # Held until the digest hour, then delivered.
    assert await deliver_due(world.engine, settings, NOW) == 1  # the employer's notice only
    assert await deliver_due(world.engine, settings, zh.not_before) == 4
    received = {r.to: r for r in smtp_server.received}
    assert "daily digest" in received[address("insp.a.en")].subject
    for alert_id in ids[:3]:
        assert f"/inspector/alerts/{alert_id}" in received[address("insp.a.en")].text


def test_a_later_run_rebuilds_the_pending_digest_instead_of_adding_one(world):
    [first] = alerts(world, ("a", "high"))
    notify(world, [first])
    [before] = [
        m for m in outbox(world.engine, kind="alert_digest") if m.to_address == address("insp.a")
    ]
    [second] = alerts(world, ("a", "high"))
    notify(world, [second], now=NOW + timedelta(hours=3))
    [after] = [
        m for m in outbox(world.engine, kind="alert_digest") if m.to_address == address("insp.a")
    ]
    assert after.id == before.id and after.message_id == before.message_id
    assert "1 条新预警" in before.subject and "2 条新预警" in after.subject
    for alert_id in (first, second):
        assert f"/inspector/alerts/{alert_id}" in after.body_text
        assert f"/inspector/alerts/{alert_id}" in after.body_html
    assert notify(world, [first, second], now=NOW + timedelta(hours=4)) == 0
    assert before.alert_ids == [first] and after.alert_ids == sorted([first, second])


def test_a_digest_knows_its_alerts_from_its_data_not_its_text(world):
    [first] = alerts(world, ("a", "high"))
    notify(world, [first])
    table = OutboxMessage.__table__
    with world.engine.begin() as conn:  # no link left in the text: the ids are the column
        conn.execute(
            update(table).where(table.c.kind == "alert_digest").values(body_text="—", body_html="—")
        )
    [second] = alerts(world, ("a", "high"))
    notify(world, [second], now=NOW + timedelta(hours=3))
    [digest] = [
        m for m in outbox(world.engine, kind="alert_digest") if m.to_address == address("insp.a")
    ]
    assert digest.alert_ids == sorted([first, second])
    assert f"/inspector/alerts/{first}" in digest.body_text


def test_alerts_after_the_digest_left_go_in_the_next_days_digest(world):
    [first] = alerts(world, ("a", "high"))
    notify(world, [first])
    table = OutboxMessage.__table__
    with world.engine.begin() as conn:
        conn.execute(update(table).where(table.c.kind == "alert_digest").values(status="sent"))
    [second] = alerts(world, ("a", "high"))
    notify(world, [second], now=NOW + timedelta(hours=1))
    mine = [
        m for m in outbox(world.engine, kind="alert_digest") if m.to_address == address("insp.a")
    ]
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in mine] == ["2026-12-01", "2026-12-02"]
    assert f"/inspector/alerts/{second}" in mine[1].body_text
    assert f"/inspector/alerts/{first}" not in mine[1].body_text


# --- subscriptions ------------------------------------------------------------------------


def test_without_subscriptions_an_inspector_follows_their_scope_from_high(world):
    with session_scope(world.engine) as session:
        assert follows_of(session, user_id=world.users["insp.a"]) == [Follow(LUCHENG, "high")]


def test_an_inspector_may_subscribe_within_their_jurisdiction_only(world):
    with session_scope(world.engine) as session:
        user_id = world.users["insp.city"]
        follows = [Follow(f"{LUCHENG}/{SHUANGYU}", "low"), Follow(OUHAI, "critical")]
        assert replace_subscriptions(session, actor=ADMIN, user_id=user_id, follows=follows) == (
            sorted(follows, key=lambda f: f.jurisdiction_code)
        )
    with session_scope(world.engine) as session, pytest.raises(Invalid):
        replace_subscriptions(
            session, actor=ADMIN, user_id=world.users["insp.a"], follows=[Follow(OUHAI, "low")]
        )
    with session_scope(world.engine) as session, pytest.raises(Invalid):
        replace_subscriptions(
            session, actor=ADMIN, user_id=world.users["insp.a"], follows=[Follow(CITY, "low")]
        )
    with session_scope(world.engine) as session, pytest.raises(Invalid):
        replace_subscriptions(
            session, actor=ADMIN, user_id=world.users["insp.a"], follows=[Follow(LUCHENG, "x")]
        )
    with session_scope(world.engine) as session:
        assert replace_subscriptions(session, actor=ADMIN, user_id=user_id, follows=[]) == [
            Follow(CITY, "high")
        ]


# --- deposit proofs -----------------------------------------------------------------------


async def test_the_proof_decision_goes_to_the_user_who_filed_it(world, smtp_server, settings):
    with session_scope(world.engine) as session:
        approved = make_proof(session, world).id
        rejected = make_proof(session, world, status="rejected", reason="回单金额与申报不符").id
        pending = make_proof(session, world, status="pending").id
        assert notify_proof_decision(session, approved, settings=settings) == 1
        assert notify_proof_decision(session, rejected, settings=settings) == 1
        assert notify_proof_decision(session, pending, settings=settings) == 0
        assert notify_proof_decision(session, approved, settings=settings) == 0
        with pytest.raises(NotFound):
            notify_proof_decision(session, 999_999, settings=settings)
    assert await deliver_due(world.engine, settings, datetime.now(UTC)) == 2
    subjects = sorted(r.subject for r in smtp_server.received)
    assert subjects == [
        "[WageGuard] Deposit proof approved: BOC-2026-1102",
        "[WageGuard] Deposit proof rejected: BOC-2026-1102",
    ]
    rejected_mail = next(r for r in smtp_server.received if "rejected" in r.subject)
    assert rejected_mail.to == address("employer.a")
    assert "回单金额与申报不符" in rejected_mail.text


def test_without_the_users_address_the_decision_goes_to_the_employers_contact(world):
    with session_scope(world.engine) as session:
        session.get(User, world.users["employer.a"]).email = None
        proof = make_proof(session, world)
        notify_proof_decision(session, proof.id)
    [message] = outbox(world.engine, kind="proof_decision")
    assert (message.to_address, message.language) == ("hr@shoes.example.cn", "zh-CN")


# --- complaints ---------------------------------------------------------------------------


async def test_the_committee_learns_of_a_new_case_without_who_complained(
    world, smtp_server, settings
):
    with session_scope(world.engine) as session:
        complaint = make_complaint(session, world, workers_affected=12)
        assert (
            notify_case_new(session, complaint.id, settings=settings, reference=shared_reference())
            == 3
        )
        assert (
            notify_case_new(session, complaint.id, settings=settings, reference=shared_reference())
            == 0
        )
    assert await deliver_due(world.engine, settings, datetime.now(UTC)) == 3
    received = {r.to: r for r in smtp_server.received}
    assert set(received) == {address("mediator.zh"), address("mediator.en"), COMMITTEE_CONTACT}
    en, zh = received[address("mediator.en")], received[address("mediator.zh")]
    assert "new case" in en.subject and "(group)" in en.subject
    assert "Routed to the Shuangyu" in en.text
    assert "群体" in zh.subject and complaint.public_reference in zh.text
    assert f"https://wageguard.test/mediator/cases/{complaint.public_reference}" in zh.text
    assert f"/mediator/cases/{complaint.id}" not in zh.text  # no countable id in the link
    for mail in smtp_server.received:
        for part in (mail.subject, mail.text, mail.html):
            assert "张三丰" not in part and "13912345678" not in part
            assert complaint.tracking_code not in part  # the worker's key, in no e-mail
            assert "老板说下个月发" not in part  # the worker's own words may name them


def test_the_committee_is_reminded_of_the_deadline_once_per_reminder(world):
    with session_scope(world.engine) as session:
        complaint = make_complaint(session, world)
        assert notify_case_reminder(session, complaint.id, 3) == 3
        assert notify_case_reminder(session, complaint.id, 3) == 0
        assert notify_case_reminder(session, complaint.id, 1) == 3
        complaint.status = "closed"
        session.flush()
        assert notify_case_reminder(session, complaint.id, 0) == 0
    subjects = {m.subject for m in outbox(world.engine, kind="case_reminder")}
    assert f"[WageGuard · mediation deadline] Case {complaint.public_reference}" in next(
        s for s in subjects if s.startswith("[WageGuard")
    )
    assert not any(complaint.tracking_code in s for s in subjects)
    assert any("还剩 1 天" in s for s in subjects)
    assert any("1 day left" in s for s in subjects)


def test_the_employer_is_told_of_a_complaint_but_not_who_made_it(world):
    with session_scope(world.engine) as session:
        complaint = make_complaint(session, world)
        assert notify_employer_complaint(session, complaint.id, reference=shared_reference()) == 1
    [message] = outbox(world.engine, kind="employer_complaint_notice")
    assert (message.to_address, message.language) == ("hr@shoes.example.cn", "zh-CN")
    for part in (message.subject, message.body_text, message.body_html):
        assert "张三丰" not in part and "13912345678" not in part
        assert complaint.tracking_code not in part  # the worker's key stays the worker's
        assert "老板说下个月发" not in part
        # Nothing a payroll could match to one worker, no exact day, no sequential number.
        for value in ("2026-08", "2026-10", "18,000.00", "1800000", "2026-11-20", "2026-12-07"):
            assert value not in part
    assert f"#{complaint.id}" not in message.subject + message.body_text  # (HTML has colours)
    assert complaint.public_reference in message.subject
    assert "2026年第47周" in message.body_text  # 2026-11-20 is in ISO week 47
    assert "不含任何可能指向投诉人的信息" in message.body_text
    assert COMMITTEE_CONTACT in message.body_text
    assert "第十四条" in message.body_text  # the mediation period's legal basis, from data/


def test_the_employer_learns_who_complained_when_the_worker_agreed(world):
    with session_scope(world.engine) as session:
        complaint = make_complaint(session, world, disclose_identity=True)
        notify_employer_complaint(session, complaint.id, reference=shared_reference())
    [message] = outbox(world.engine, kind="employer_complaint_notice")
    assert "张三丰" in message.body_text and "13912345678" in message.body_html
    # With consent, what the complaint is about too (the form tells the worker so).
    assert "2026-08" in message.body_text and "¥18,000.00" in message.body_text
    assert complaint.tracking_code not in message.body_text + message.body_html


def test_an_employer_not_in_the_register_or_without_an_address_is_not_told(world):
    with session_scope(world.engine) as session:
        free_text = make_complaint(session, world, employer_id=None, employer_text="某鞋厂")
        no_address = make_complaint(session, world, employer_id=world.employer_b)
        assert notify_employer_complaint(session, free_text.id, reference=shared_reference()) == 0
        assert notify_employer_complaint(session, no_address.id, reference=shared_reference()) == 0


def test_a_group_construction_complaint_alerts_the_inspectors_of_its_county(world):
    with session_scope(world.engine) as session:
        complaint = make_complaint(
            session,
            world,
            employer_id=world.employer_c,
            project_id=world.project,
            county_code=OUHAI,
            town="娄桥街道",
            committee_id=None,
            workers_affected=15,
        )
        assert notify_group_complaint(session, complaint.id, reference=shared_reference()) == 2
        assert notify_group_complaint(session, complaint.id, reference=shared_reference()) == 0
    got = recipients(world.engine, "group_complaint_alert")
    assert set(got) == {address("insp.b"), address("insp.city")}
    body = got[address("insp.b")].body_text
    assert "群体性建设工程领域" in body and "瓯海大道改造工程" in body
    assert "张三丰" not in body and "13912345678" not in body


def test_a_construction_employer_makes_a_construction_complaint_without_a_project(world):
    with session_scope(world.engine) as session:
        complaint = make_complaint(
            session, world, employer_id=world.employer_c, county_code=OUHAI, town=None
        )
        notify_group_complaint(session, complaint.id, reference=shared_reference())
    subjects = [m.subject for m in outbox(world.engine, kind="group_complaint_alert")]
    assert subjects and all("建设工程" in s and "群体" not in s for s in subjects)


def test_the_group_threshold_includes_the_number(world, reference):
    minimum = int(reference.value("group_complaint_min_workers", on=date(2026, 11, 20)))
    with session_scope(world.engine) as session:
        at = make_complaint(session, world, workers_affected=minimum)
        below = make_complaint(session, world, workers_affected=minimum - 1)
        notify_case_new(session, at.id, reference=shared_reference())
        notify_case_new(session, below.id, reference=shared_reference())
    by_case = {
        m.dedupe_key.split(":")[1]: m.subject
        for m in outbox(world.engine, kind="case_new", to_address=COMMITTEE_CONTACT)
    }
    assert "群体" in by_case[str(at.id)] and "群体" not in by_case[str(below.id)]


def test_a_long_digest_lists_the_most_severe_alerts_and_counts_the_rest(world, monkeypatch):
    monkeypatch.setattr(notifications, "DIGEST_LISTED", 2)
    ids = alerts(world, ("a", "medium"), ("a", "high"), ("a", "high"), ("a", "medium"))
    with session_scope(world.engine) as session:
        subscribe(session, world, "insp.a.en", LUCHENG, "medium")
    notify(world, ids)
    digests = recipients(world.engine, "alert_digest")
    zh, en = digests[address("insp.a")], digests[address("insp.a.en")]
    assert "2 条新预警" in zh.subject and "另有" not in zh.body_text  # high only: all listed
    assert "4 new alerts" in en.subject and en.alert_ids == sorted(ids)
    listed = [i for i in ids if f"/inspector/alerts/{i}" in en.body_text]
    assert listed == ids[1:3]  # the two high ones
    assert "2 less severe alerts not listed here" in en.body_text
    assert "less severe alerts not listed here" in en.body_html


def test_alerts_beyond_one_statements_id_list_are_told_all_the_same(world, monkeypatch):
    """A run after a large import opens more alerts than one IN list binds (PostgreSQL takes
    65,535 parameters): they are read a list at a time."""
    monkeypatch.setattr(db, "IN_LIST_CHUNK", 2)
    ids = alerts(world, ("a", "high"), ("a", "high"), ("a", "medium"), ("a", "critical"))
    with session_scope(world.engine) as session:
        subscribe(session, world, "insp.a.en", LUCHENG, "medium")
    notify(world, ids)
    en = recipients(world.engine, "alert_digest")[address("insp.a.en")]
    assert "3 new alerts" in en.subject and en.alert_ids == sorted(ids[:3])
    assert [m.to_address for m in outbox(world.engine, kind="alert_critical")]
    later = alerts(world, ("a", "medium"), ("a", "high"))
    notify(world, later, now=NOW + timedelta(hours=1))
    again = recipients(world.engine, "alert_digest")[address("insp.a.en")]
    assert "5 new alerts" in again.subject and again.alert_ids == sorted([*ids[:3], *later])
