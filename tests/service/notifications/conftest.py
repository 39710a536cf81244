"""A real SMTP server (aiosmtpd on 127.0.0.1) that records what it accepts, and a small
world of inspectors, mediators and employers with addresses — on both databases."""

import asyncio
import email
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.alerts.models import Alert, AlertEvent, MonitorRun
from service.auth.models import User, UserScope
from service.committees.models import MediationCommittee
from service.complaints.models import Complaint
from service.config import Settings
from service.db import session_scope
from service.deposits.models import DepositProof
from service.employers.models import Employer
from service.notifications.audience import Audience
from service.notifications.models import AlertSubscription, OutboxMessage
from service.notifications.outbox import enqueue
from service.notifications.service import worded_alert_mail
from service.projects.models import Project
from tests.factories import uscc
from tests.service.notifications.samples import SAMPLES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    text: str
    html: str
    message: EmailMessage


class RecordingHandler:
    """Accepts every message and records it; tests may refuse recipients, or hold one
    message (the n-th DATA) until released and then refuse it, as if the connection had
    dropped before the server's 250."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refused_recipients: dict[str, str] = {}
        self.hold_nth: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._data_count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self._data_count += 1
        if self._data_count == self.hold_nth:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Not accepted: the client went away"
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(_received(message))
        return "250 Message accepted"

    def count_by_message_id(self) -> Counter:
        return Counter(r.message_id for r in self.received)


def _received(message: EmailMessage) -> Received:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Received(
        message_id=str(message["Message-ID"]).strip(),
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        message=message,
    )


@dataclass
class SmtpServer:
    port: int
    handler: RecordingHandler
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.handler.release.set()
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), RecordingHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server() -> Iterator[SmtpServer]:
    """A port with nothing listening yet; the test starts the server when it wants."""
    server = SmtpServer(free_port(), RecordingHandler())
    yield server
    server.stop()


def mail_settings(port: int, **overrides) -> Settings:
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_timeout_seconds": 5.0,
        "mail_retry_base_seconds": 60.0,
        "mail_retry_max_seconds": 3600.0,
        "mail_max_attempts": 5,
        "mail_batch_size": 50,
        "mail_lease_seconds": 300.0,
        "mail_base_url": "https://wageguard.test",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(smtp_server: SmtpServer) -> Settings:
    return mail_settings(smtp_server.port)


# --- the world ------------------------------------------------------------------------------

LUCHENG, OUHAI, CITY = "330302", "330304", "330300"
SHUANGYU = "双屿街道"


@dataclass
class MailWorld:
    engine: Engine
    employer_a: int  # Lucheng, 双屿街道, with a contact address
    employer_b: int  # Ouhai, no contact address
    employer_c: int  # Ouhai, construction, with a contact address
    project: int  # employer C's project in Ouhai
    committee: int  # Lucheng, 双屿街道 people's mediation committee
    users: dict[str, int] = field(default_factory=dict)
    run_id: int = 0

    def user(self, username: str) -> User:
        with Session(self.engine) as session:
            return session.get(User, self.users[username])


# username: (role, locale, email, scopes, extra)
USERS = {
    "insp.a": ("inspector", "zh-CN", "insp.a@rsj.example.cn", [LUCHENG], {}),
    "insp.a.en": ("inspector", "en", "insp.a.en@rsj.example.cn", [LUCHENG], {}),
    "insp.town": ("inspector", "zh-CN", "insp.town@rsj.example.cn", [f"{LUCHENG}/{SHUANGYU}"], {}),
    "insp.city": ("inspector", "zh-CN", "insp.city@rsj.example.cn", [CITY], {}),
    "insp.b": ("inspector", "zh-CN", "insp.b@rsj.example.cn", [OUHAI], {}),
    "insp.no.mail": ("inspector", "zh-CN", None, [LUCHENG], {}),
    "insp.gone": ("inspector", "zh-CN", "gone@rsj.example.cn", [LUCHENG], {"is_active": False}),
    "employer.a": ("employer", "en", "boss@shoes.example.cn", [], {"employer": "a"}),
    "mediator.zh": ("mediator", "zh-CN", "med.zh@tj.example.org", [], {"committee": True}),
    "mediator.en": ("mediator", "en", "med.en@tj.example.org", [], {"committee": True}),
}
COMMITTEE_CONTACT = "shuangyu-tj@example.org"


@pytest.fixture
def world(engine: Engine) -> MailWorld:
    with session_scope(engine) as session:
        a = _employer(session, 1, LUCHENG, SHUANGYU, "温州鹿城鞋业有限公司", "hr@shoes.example.cn")
        b = _employer(session, 2, OUHAI, None, "温州瓯海五金有限公司", None)
        c = _employer(session, 3, OUHAI, "娄桥街道", "温州瓯江建设有限公司", "hr@build.example.cn")
        c.industry_code = "4710"
        project = Project(
            project_code="330304202601010001",
            name="瓯海大道改造工程",
            contractor_id=c.id,
            county_code=OUHAI,
            industry_code="4813",
            contract_value_fen=1_200_000_000,
            contract_signed_date=date(2026, 1, 10),
        )
        committee = MediationCommittee(
            code="MC-SY",
            name="双屿街道人民调解委员会",
            kind="people",
            county_code=LUCHENG,
            town=SHUANGYU,
            contact_email=COMMITTEE_CONTACT,
        )
        session.add_all([project, committee])
        session.flush()
        world = MailWorld(engine, a.id, b.id, c.id, project.id, committee.id)
        for username, (role, locale, address, scopes, extra) in USERS.items():
            user = User(
                username=username,
                password_hash="not-used",
                role=role,
                display_name=username,
                email=address,
                locale=locale,
                employer_id=a.id if extra.get("employer") else None,
                committee_id=committee.id if extra.get("committee") else None,
                is_active=extra.get("is_active", True),
            )
            session.add(user)
            session.flush()
            session.add_all(UserScope(user_id=user.id, jurisdiction_code=s) for s in scopes)
            world.users[username] = user.id
        world.run_id = new_run(session, date(2026, 11, 30))
    return world


def _employer(
    session: Session, n: int, county: str, town: str | None, name: str, contact: str | None
) -> Employer:
    employer = Employer(
        uscc=uscc(n, county),
        name=name,
        industry_code="1952",
        county_code=county,
        town=town,
        contact_email=contact,
    )
    session.add(employer)
    session.flush()
    return employer


def make_alert(
    session: Session,
    world: MailWorld,
    *,
    employer_id: int,
    severity: str,
    rule: str = "wages.unpaid",
    period: str = "2026-10",
    event: str = "opened",
    project_code: str = "",
) -> Alert:
    alert = Alert(
        rule=rule,
        employer_id=employer_id,
        project_code=project_code,
        period=period,
        severity=severity,
        subject_count=3,
        amount_fen=1_234_500,
        evidence={"workers": ["510122199001010011"]},
        legal_basis_zh="《保障农民工工资支付条例》第十一条",
        legal_basis_en="Regulation on Guaranteeing Wage Payment to Migrant Workers, Art. 11",
        first_seen=date(2026, 11, 30),
        last_seen=date(2026, 11, 30),
    )
    session.add(alert)
    session.flush()
    add_event(session, world, alert, event)
    return alert


def add_event(
    session: Session, world: MailWorld, alert: Alert, kind: str, run_id: int | None = None
) -> None:
    session.add(
        AlertEvent(
            alert_id=alert.id,
            run_id=run_id or world.run_id,
            kind=kind,
            as_of=date(2026, 11, 30),
            severity=alert.severity,
            subject_count=alert.subject_count,
            amount_fen=alert.amount_fen,
        )
    )
    session.flush()


def new_run(session: Session, as_of: date) -> int:
    run = MonitorRun(as_of=as_of, trigger="schedule", status="succeeded")
    session.add(run)
    session.flush()
    return run.id


def subscribe(session: Session, world: MailWorld, username: str, code: str, severity: str):
    session.add(
        AlertSubscription(
            user_id=world.users[username], jurisdiction_code=code, min_severity=severity
        )
    )
    session.flush()


_tracking = iter(range(1, 10_000))


def make_complaint(session: Session, world: MailWorld, **overrides) -> Complaint:
    values = {
        "tracking_code": f"TC{next(_tracking):06d}",
        "pin_hash": "not-used",
        "employer_id": world.employer_a,
        "county_code": LUCHENG,
        "town": SHUANGYU,
        "period_from": "2026-08",
        "period_to": "2026-10",
        "amount_owed_fen": 1_800_000,
        "workers_affected": 1,
        "description": "老板说下个月发，已经拖了三个月。我是车间的张三。",
        "worker_name": "张三丰",
        "phone": "13912345678",
        "received_on": date(2026, 11, 20),
        "committee_id": world.committee,
        "routing_rule": "town_people_committee",
        "routing_reason_zh": "已转交双屿街道人民调解委员会，因为您工作所在的街道设有调解委员会。",
        "routing_reason_en": "Routed to the Shuangyu people's mediation committee of your town.",
        "mediation_due_on": date(2026, 12, 7),
        **overrides,
    }
    complaint = Complaint(**values)
    session.add(complaint)
    session.flush()
    return complaint


def make_proof(session: Session, world: MailWorld, **overrides) -> DepositProof:
    values = {
        "employer_id": world.employer_a,
        "kind": "receipt",
        "amount_fen": 30_000_000,
        "event_date": date(2026, 11, 2),
        "reference": "BOC-2026-1102",
        "original_name": "receipt.pdf",
        "stored_name": f"{next(_tracking):032x}.pdf",
        "content_type": "application/pdf",
        "size_bytes": 1000,
        "sha256": "0" * 64,
        "status": "approved",
        "submitted_by_id": world.users["employer.a"],
        **overrides,
    }
    proof = DepositProof(**values)
    session.add(proof)
    session.flush()
    return proof


def outbox(engine: Engine, **where) -> list[OutboxMessage]:
    """The queued messages, those a monitors run left unworded worded as the sender would
    word them now (not saved: the rows stay as they are)."""
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        messages = list(session.scalars(query))
        with session.no_autoflush:
            for message in messages:
                if message.subject is None:
                    _word(session, message)
        session.expunge_all()
        return messages


def _word(session: Session, message: OutboxMessage) -> None:
    rendered = worded_alert_mail(session, message, mail_settings(8025))
    if rendered is None:  # nothing left to word it from: left as it stands
        return
    message.subject, message.body_text, message.body_html = (
        rendered.subject,
        rendered.text,
        rendered.html,
    )


NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 18:00 in Wenzhou


def queue(engine, count: int, *, not_before: datetime | None = None, prefix: str = "m") -> None:
    with session_scope(engine) as session:
        for n in range(count):
            enqueue(
                session,
                kind="case_reminder",
                dedupe_key=f"{prefix}{n}",
                to_address=f"rcpt{n}@tj.example.org",
                language="en" if n % 2 else "zh-CN",
                context=SAMPLES["case_reminder"][0],
                audience=Audience(),
                not_before=not_before,
            )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
