"""The complainant shield in time: an employer told the moment a complaint arrives, or the
day after its mediation deadline, learns the day the worker complained. Without the worker's
consent the employer learns of a complaint, and of the alerts it causes, only from the Monday
after the week (Wenzhou time) — on the page, in the API and by e-mail.

The clock is Wenzhou's clock (service.clock) set by the test; the e-mail goes through the
real sender to a real SMTP server.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select

from monitors.registry import all_rules
from service import clock
from service.alerts.models import Alert
from service.complaints.disclosure import alert_released, released_on, week_of
from service.complaints.models import Complaint
from service.db import session_scope
from service.flows.monitor_runs import run_monitors
from service.notifications.sender import deliver_due
from tests.service.notifications.conftest import (  # noqa: F401 (the fixtures)
    SmtpServer,
    mail_settings,
    smtp_server,
)
from tests.service.portals.conftest import bearer, sign_in
from tests.service.portals.test_complainant_shield import (  # noqa: F401 (the fixtures)
    ANONYMOUS,
    DISCLOSED,
    EMPLOYER_CONTACT,
    client,
    file_by_api,
    shield_world,
)

WEDNESDAY = date(2026, 12, 2)
ZONE = clock.local_zone("Asia/Shanghai")
OVERDUE_TITLE = all_rules()["mediation.overdue"].title_zh


def wenzhou(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


class Clock:
    """Every clock of the test process, set to `now` (and ticking on from there): the app's
    and the sender's alike, whatever day the suite runs."""

    def __init__(self, traveller: Any, now: datetime) -> None:  # time_machine's traveller
        self.traveller = traveller
        self._now = now

    @property
    def now(self) -> datetime:
        return self._now

    @now.setter
    def now(self, at: datetime) -> None:
        self.traveller.move_to(at)
        self._now = at


@pytest.fixture
def wenzhou_clock() -> Iterator[Clock]:
    start = wenzhou(WEDNESDAY, 10, 17)
    with time_machine.travel(start, tick=True) as traveller:
        yield Clock(traveller, start)


def notices(http: TestClient) -> list[dict]:
    response = http.get("/api/employer/complaints", headers=bearer(http, "employer.a"))
    assert response.status_code == 200
    return response.json()


def complaints_page(http: TestClient) -> str:
    assert sign_in(http, "employer.a").status_code == 303
    page = http.get("/employer/complaints")
    http.cookies.clear()
    assert page.status_code == 200
    return page.text


def overdue_alerts(http: TestClient) -> list[dict]:
    token = bearer(http, "employer.a")
    alerts = http.get("/api/employer/obligations", headers=token).json()["alerts"]
    return [a for a in alerts if a["rule"] == "mediation.overdue"]


def obligations_page(http: TestClient) -> str:
    assert sign_in(http, "employer.a").status_code == 303
    page = http.get("/employer")
    http.cookies.clear()
    assert page.status_code == 200
    return page.text


def deliver(http: TestClient, world, server: SmtpServer, now: datetime) -> list:
    """Deliver what is due at `now`; the new messages to the employer's contact address."""
    before = len(server.received)
    while http.portal.call(deliver_due, world.engine, mail_settings(server.port), now):
        pass
    return [m for m in server.received[before:] if m.to == EMPLOYER_CONTACT]


def kinds(mails: list) -> list[str]:
    return [m.message["X-WageGuard-Kind"] for m in mails]


def reference_of(world, tracking_code: str) -> str:
    with session_scope(world.engine) as session:
        complaint = session.scalars(select(Complaint).filter_by(tracking_code=tracking_code)).one()
        return complaint.public_reference


def test_an_anonymous_complaint_filed_on_a_wednesday_reaches_the_employer_the_next_monday(
    client,  # noqa: F811
    shield_world,  # noqa: F811
    wenzhou_clock,
    smtp_server,  # noqa: F811
):
    world = shield_world
    filed = file_by_api(client, world, ANONYMOUS[0])
    reference = reference_of(world, filed.tracking_code)
    monday = released_on(WEDNESDAY)
    assert monday == WEDNESDAY + timedelta(days=5) and monday.weekday() == 0

    # All week long, up to the last minute of Sunday in Wenzhou: nothing anywhere.
    for at in (
        wenzhou_clock.now,
        wenzhou(WEDNESDAY, 23, 59),
        wenzhou(monday) - timedelta(minutes=1),
    ):
        wenzhou_clock.now = at
        assert reference not in [n["reference"] for n in notices(client)]
        assert reference not in complaints_page(client)
        assert "employer_complaint_notice" not in kinds(deliver(client, world, smtp_server, at))

    # From Monday 00:00 in Wenzhou: listed, and told by e-mail, with the week only.
    wenzhou_clock.now = wenzhou(monday)
    [notice] = [n for n in notices(client) if n["reference"] == reference]
    week = week_of(WEDNESDAY)
    assert notice["received_week"] == week.iso
    assert notice["received_on"] is None and notice["mediation_due_on"] is None
    page = complaints_page(client)
    assert reference in page and week.label("zh-CN") in page
    assert WEDNESDAY.isoformat() not in page
    mails = deliver(client, world, smtp_server, wenzhou_clock.now)
    [mail] = [m for m in mails if m.message["X-WageGuard-Kind"] == "employer_complaint_notice"]
    assert reference in mail.text and week.label("zh-CN") in mail.text
    # Its Date header is the release, not the hour of filing.
    sent_date = parsedate_to_datetime(mail.message["Date"]).astimezone(ZONE)
    assert sent_date.date() == monday


def test_a_disclosed_complaint_is_told_at_once(
    client,  # noqa: F811
    shield_world,  # noqa: F811
    wenzhou_clock,
    smtp_server,  # noqa: F811
):
    world = shield_world
    filed = file_by_api(client, world, DISCLOSED)
    reference = reference_of(world, filed.tracking_code)
    [notice] = [n for n in notices(client) if n["reference"] == reference]
    assert notice["received_on"] == WEDNESDAY.isoformat()
    assert DISCLOSED.worker_name in complaints_page(client)
    mails = deliver(client, world, smtp_server, wenzhou_clock.now)
    [mail] = [m for m in mails if m.message["X-WageGuard-Kind"] == "employer_complaint_notice"]
    assert DISCLOSED.worker_name in mail.text


def test_the_overdue_alert_waits_for_the_monday_after_the_week_it_fired(
    client,  # noqa: F811
    shield_world,  # noqa: F811
    wenzhou_clock,
    smtp_server,  # noqa: F811
):
    world = shield_world
    filed = file_by_api(client, world, ANONYMOUS[0])
    with session_scope(world.engine) as session:
        complaint = session.scalars(
            select(Complaint).filter_by(tracking_code=filed.tracking_code)
        ).one()
        fired_on = complaint.mediation_due_on + timedelta(days=1)
    run_monitors(world.engine, client.app.state.reference, as_of=fired_on)
    monday = released_on(fired_on)

    # The day it fired and the last minute of that week: not on the page, API or e-mail.
    for at in (wenzhou(fired_on, 9), wenzhou(monday) - timedelta(minutes=1)):
        wenzhou_clock.now = at
        assert overdue_alerts(client) == []
        assert OVERDUE_TITLE not in obligations_page(client)
        for mail in deliver(client, world, smtp_server, at):
            assert OVERDUE_TITLE not in mail.text

    wenzhou_clock.now = wenzhou(monday)
    [alert] = overdue_alerts(client)
    assert (alert["first_seen"], alert["amount_fen"], alert["id"]) == (None, None, None)
    assert OVERDUE_TITLE in obligations_page(client)
    mails = deliver(client, world, smtp_server, wenzhou_clock.now)
    [mail] = [m for m in mails if OVERDUE_TITLE in m.text]
    assert mail.message["X-WageGuard-Kind"] == "employer_alert_notice"
    sent_date = parsedate_to_datetime(mail.message["Date"]).astimezone(ZONE)
    assert sent_date.date() == monday


@pytest.mark.parametrize("rule", ["mediation.overdue", "complaints.cluster"])
def test_every_complaint_derived_alert_waits_for_the_week_to_end(rule):
    alert = Alert(rule=rule, employer_id=1, severity="high", first_seen=WEDNESDAY)
    sunday, monday = WEDNESDAY + timedelta(days=4), WEDNESDAY + timedelta(days=5)
    assert not alert_released(alert, today=WEDNESDAY)
    assert not alert_released(alert, today=sunday)
    assert alert_released(alert, today=monday)
    # An alert about the employer's own records is told the day it fires.
    own = Alert(rule="wages.unpaid", employer_id=1, severity="high", first_seen=WEDNESDAY)
    assert alert_released(own, today=WEDNESDAY)
