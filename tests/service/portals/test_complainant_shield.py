"""The complainant shield, tried as an employer would try it.

Anonymous complaints with distinctive amounts, months, headcounts, free text, names and
phones are filed through the real API and the real page; the monitors run past the mediation
period so that mediation.overdue and complaints.cluster fire; every e-mail is delivered to a
real SMTP server. Then everything the employer can reach is searched for any of those
values: every GET route of the app (taken from its route table, so new routes are covered),
as the signed-in page user and as the API client, with ids of its complaints and alerts in
the paths, the error pages included; and every e-mail to the employer's addresses and to its
own mediation committee (the employer's staff).

A complaint whose worker agreed to be known is the control: its values must show, so the
search is known to reach the places where a leak would be.

To extend: add the new distinctive values to `Secret` (or the filings), the new places to
`employer_reachable_texts`.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from service import clock
from service.app import create_app
from service.auth.models import User
from service.auth.service import create_user
from service.committees.models import MediationCommittee
from service.complaints.deadlines import local_date
from service.complaints.disclosure import released_on, week_of
from service.complaints.form import ComplaintForm
from service.complaints.models import Complaint
from service.config import Settings
from service.db import session_scope
from service.employers.models import Employer
from service.evidence.models import ComplaintEvidence
from service.flows.filing import file_complaint
from service.flows.monitor_runs import run_monitors
from service.notifications.sender import deliver_due
from tests.conftest import shared_reference
from tests.factories import TOWN, case_reference, valid_id_number
from tests.service.notifications.conftest import (  # noqa: F401 (the fixture)
    SmtpServer,
    mail_settings,
    smtp_server,
)
from tests.service.portals.conftest import PASSWORD, bearer, sign_in
from tests.service.portals.test_permissions import DECISIONS
from tests.service.portals.test_worker_evidence import photo_with_gps
from tests.service.routes import every_route

EMPLOYER_CONTACT = "hr@shoes.example.cn"  # employer A's contact address (tests/factories.py)
EMPLOYER_USER_MAIL = "boss@shoes.example.cn"
COMMITTEE_MAIL = "tiaojie@shoes.example.cn"  # employer A's own mediation committee
COMMITTEE_MEDIATOR_MAIL = "hr-mediator@shoes.example.cn"
COMPLAINT_RULES = {"mediation.overdue", "complaints.cluster"}


@dataclass(frozen=True)
class Secret:
    """What one complaint says: none of it may reach the employer unless disclosed."""

    amount: str  # yuan, as typed: "3192.77"
    period_from: str
    period_to: str
    workers: int
    description: str
    worker_name: str
    phone: str
    disclose: bool = False
    enterprise: bool = True  # asks for the employer's own committee

    def values(self) -> list[str]:
        """Every form in which the values could be written."""
        whole, _, cents = self.amount.partition(".")
        fen = str(int(whole) * 100 + int(cents or 0))
        thousands = f"{int(whole):,}.{cents or '00'}"
        months = {self.period_from, self.period_to}
        month_words = {f"{int(m[:4])}年{int(m[5:])}月" for m in months}
        n = self.workers
        headcount = [f"{n} 人", f"{n}人", f"{n} worker", f"：{n}<", f": {n}<", f">{n}<"]
        headcount += [f'"workers_affected":{n}', f'"subject_count":{n}', f": {n}\n", f"：{n}\n"]
        return [
            self.amount, thousands, fen, *months, *month_words, *headcount,
            self.description, self.worker_name, self.phone,
        ]  # fmt: skip


# Months outside the world's own payroll (2026-05 … 2026-08), which the employer sees anyway.
ANONYMOUS = (
    Secret("3192.77", "2025-11", "2025-11", 37, "夜班蓝伞组长扣钱QX7", "欧阳娜娜", "13957712345"),
    Secret("4871.05", "2025-09", "2025-10", 23, "宿舍紫色门牌工友RZ4", "司徒雷雷", "13957754321"),
    Secret("2608.19", "2025-07", "2025-07", 61, "后厨绿围裙班组JP9", "上官燕燕", "13957798765"),
)  # fmt: skip
DISCLOSED = Secret(
    "5555.01", "2026-02", "2026-02", 2, "同意公开的投诉MK3", "诸葛亮亮", "13957700001", True, False
)
DISCLOSED_DAYS_AGO = 9  # a different day from the anonymous ones, whose days must not show


@dataclass
class Filed:
    secret: Secret
    tracking_code: str
    pin: str
    complaint_id: int = 0
    public_reference: str = ""


# --- the world: employer A with its own committee, and the filings ------------------------------

# The complaints are filed on a day of the test's own, not the machine's: the search looks for
# the days they arrived, which must not be days the employer's pages show for other reasons
# (the world's as-of day, 2026-11-30, say).
FILED_AT = datetime(2026, 12, 2, 10, tzinfo=clock.local_zone()).astimezone(UTC)


@pytest.fixture(autouse=True)
def filing_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: FILED_AT)


@pytest.fixture
def shield_world(world):
    with session_scope(world.engine) as session:
        committee = MediationCommittee(
            code="MC-ENT-A",
            name="鹿城鞋业企业劳动争议调解委员会",
            kind="enterprise",
            county_code="330302",
            employer_id=world.employer_a,
            contact_email=COMMITTEE_MAIL,
        )
        session.add(committee)
        session.flush()
        create_user(
            session=session,
            actor=None,
            username="mediator.enterprise",
            password=PASSWORD,
            role="mediator",
            display_name="企业调解员",
            email=COMMITTEE_MEDIATOR_MAIL,
            committee_id=committee.id,
        )
        employer_user = session.scalar(select(User).where(User.username == "employer.a"))
        employer_user.email = EMPLOYER_USER_MAIL
        town_committee = session.get(MediationCommittee, world.committee)
        town_committee.contact_email = "wuma-tj@example.org"
        inspector = session.scalar(select(User).where(User.username == "inspector.a"))
        inspector.email = "inspector.a@rsj.example.cn"
    return world


@pytest.fixture
def client(shield_world, tmp_path) -> Iterator[TestClient]:
    settings = Settings(database_url=shield_world.db_url, upload_dir=tmp_path / "uploads")
    app = create_app(settings)
    with TestClient(app) as client:
        yield client


def form_values(world, secret: Secret) -> dict[str, Any]:
    return {
        "description": secret.description,
        "county_code": "330302",
        "town": TOWN,
        "employer_id": world.employer_a,
        "period_from": secret.period_from,
        "period_to": secret.period_to,
        "amount_owed": secret.amount,
        "workers_affected": str(secret.workers),
        "phone": secret.phone,
        "worker_name": secret.worker_name,
        "kind": "unpaid_wages",
    }


def file_by_api(client: TestClient, world, secret: Secret) -> Filed:
    body = form_values(world, secret) | {
        "disclose_identity": secret.disclose,
        "agrees_to_enterprise_mediation": secret.enterprise,
    }
    response = client.post("/api/complaints", json=body)
    assert response.status_code == 201, response.text
    return Filed(secret, response.json()["tracking_code"], response.json()["pin"])


def file_by_page(client: TestClient, world, secret: Secret) -> Filed:
    page = client.get("/worker/complaint")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    data = form_values(world, secret) | {"csrf_token": token}
    data |= {
        "disclose_identity": "yes" if secret.disclose else "no",
        "agrees_to_enterprise_mediation": "yes" if secret.enterprise else "no",
    }
    response = client.post("/worker/complaint", data=data)
    assert response.status_code == 200, response.text
    code = re.search(r'id="tracking-code">([^<]+)<', response.text).group(1)
    pin = re.search(r'id="pin">([^<]+)<', response.text).group(1)
    return Filed(secret, code, pin)


def file_earlier(world, secret: Secret) -> Filed:
    """Through the service, received some days ago: the control complaint."""
    form = ComplaintForm(
        **form_values(world, secret),
        disclose_identity=secret.disclose,
        agrees_to_enterprise_mediation=secret.enterprise,
    )
    received_at = clock.utc_now() - timedelta(days=DISCLOSED_DAYS_AGO)
    with session_scope(world.engine) as session:
        one = file_complaint(
            session, form=form, received_at=received_at, reference=shared_reference()
        )
    return Filed(secret, one.tracking_code, one.pin)


@pytest.fixture
def filed(client, shield_world, smtp_server) -> list[Filed]:  # noqa: F811
    world = shield_world
    complaints = [
        file_by_api(client, world, ANONYMOUS[0]),
        file_by_page(client, world, ANONYMOUS[1]),
        file_by_api(client, world, ANONYMOUS[2]),
        file_earlier(world, DISCLOSED),
    ]
    client.cookies.clear()
    with session_scope(world.engine) as session:
        for one in complaints:
            complaint = session.scalar(
                select(Complaint).where(Complaint.tracking_code == one.tracking_code)
            )
            one.complaint_id, one.public_reference = complaint.id, complaint.public_reference
    return complaints


def run_monitors_past_the_mediation_period(client, world, filed) -> list[str]:
    """Runs the monitors the day after the mediation period ended; returns the rules that
    fired for employer A."""
    with session_scope(world.engine) as session:
        due = session.get(Complaint, filed[0].complaint_id).mediation_due_on
    run_monitors(world.engine, client.app.state.reference, as_of=due + timedelta(days=1))
    with world.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT rule FROM alert WHERE employer_id = :e AND status = 'open'"),
                {"e": world.employer_a},
            ).scalars()
        )


def after_release(monkeypatch: pytest.MonkeyPatch, world) -> datetime:
    """Sets Wenzhou's clock to the day every alert and notice reached the employer (the
    Monday after the week they arose in: complaints.disclosure, timing is identifying)."""
    with world.engine.connect() as conn:
        latest = conn.execute(text("SELECT max(first_seen) FROM alert")).scalar()
    today = local_date(clock.utc_now())
    day = today if latest is None else max(date.fromisoformat(str(latest)), today)
    at = datetime.combine(released_on(day), time(9), tzinfo=clock.local_zone()).astimezone(UTC)
    monkeypatch.setattr(clock, "utc_now", lambda: at)
    return at


# --- the crawl ------------------------------------------------------------------------------


def get_routes(app) -> list[str]:
    return sorted(
        {
            route.path
            for route in every_route(app.routes)
            if "GET" in (getattr(route, "methods", None) or ())
        }
    )


def filled_paths(path: str, ids: list[str], named: dict[str, list[str]] | None = None) -> list[str]:
    """The path with every parameter filled by each candidate (ids of the employer's
    complaints and alerts, their references, and values no record has); a parameter in
    `named` only by its own candidates (a second parameter would multiply the requests)."""
    names = re.findall(r"\{([^}]+)\}", path)
    if not names:
        return [path]
    paths = [path]
    for name in names:
        values = (named or {}).get(name, ids)
        paths = [p.replace("{" + name + "}", value, 1) for p in paths for value in values]
    return paths


def employer_reachable_texts(
    client: TestClient,
    world,
    filed: list[Filed],
    evidence_ids: tuple[str, ...] = (),
    application_ids: tuple[str, ...] = (),
) -> dict[str, str]:
    """Every response an employer user can get by GET: pages (both languages) with its
    session cookie, the API with its token, and the error pages on the way."""
    with world.engine.connect() as conn:
        alert_ids = [
            str(i)
            for i in conn.execute(
                text("SELECT id FROM alert WHERE employer_id = :e"), {"e": world.employer_a}
            ).scalars()
        ]
    ids = [str(f.complaint_id) for f in filed] + [f.public_reference for f in filed]
    ids += [*alert_ids, "0", "999999", "x"]
    named = {
        "evidence_id": [*evidence_ids, "999999"],
        "application_id": [*application_ids, "999999"],
    }
    texts: dict[str, str] = {}
    token = bearer(client, "employer.a")
    assert sign_in(client, "employer.a").status_code == 303
    for route in get_routes(client.app):
        for path in filled_paths(route, *candidates(route, ids, named)):
            for label, kwargs in (
                ("page", {}),
                ("page-en", {"params": {"lang": "en"}}),
                ("api", {"headers": token}),
            ):
                response = client.get(path, follow_redirects=True, **kwargs)
                assert response.status_code < 500, (path, response.status_code)
                assert not response.headers.get("content-type", "").startswith("image/"), path
                texts[f"{label} {path} → {response.status_code}"] = response.text
    return texts


def candidates(
    route: str, ids: list[str], named: dict[str, list[str]]
) -> tuple[list[str], dict[str, list[str]]]:
    """Every candidate for a route an employer may reach; one for a route the permission
    matrix shows refuses employers (403) before it looks at the object: the refusal is the
    same page whatever the id, and is still searched once."""
    decision = DECISIONS.get(("GET", route))
    refused = decision is not None and all(
        decision.expected(employer, api) == 403
        for employer in ("employer.a", "employer.b")
        for api in (False, True)
    )
    if not refused:
        return ids, named
    return ids[:1], {name: values[:1] for name, values in named.items()}


def mails_to_the_employer(server: SmtpServer) -> dict[str, str]:
    addresses = {EMPLOYER_CONTACT, EMPLOYER_USER_MAIL, COMMITTEE_MAIL, COMMITTEE_MEDIATOR_MAIL}
    return {
        f"mail to {m.to}: {m.subject}": "\n".join((m.subject, m.text, m.html))
        for m in server.received
        if m.to in addresses
    }


def upload_evidence(client: TestClient, one: Filed, file_name: str) -> ComplaintEvidence:
    """The worker opens the case with its code and PIN and uploads a phone photo."""
    page = client.get("/worker/track")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    status = client.post(
        "/worker/track",
        data={"tracking_code": one.tracking_code, "pin": one.pin, "csrf_token": token},
    )
    case_pass = re.search(r'name="case_pass" value="([^"]+)"', status.text).group(1)
    answer = client.post(
        "/worker/track/evidence",
        data={"csrf_token": token, "case_pass": case_pass},
        files={"file": (file_name, photo_with_gps(), "image/jpeg")},
    )
    assert answer.status_code == 200, answer.text
    client.cookies.clear()
    with session_scope(client.app.state.engine) as session:
        evidence = session.scalar(
            select(ComplaintEvidence).where(ComplaintEvidence.original_name == file_name)
        )
        session.expunge(evidence)
    return evidence


def csrf_from(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def send_form(client: TestClient, page: str, action: str, data: dict[str, str]) -> None:
    """Send a form of `page`, with the page's token, to `action`; it answers with a redirect."""
    sent = client.post(
        action, data={**data, "csrf_token": csrf_from(client, page)}, follow_redirects=False
    )
    assert sent.status_code == 303, sent.text


def talk_on_the_case(client: TestClient, one: Filed, worker_text: str, answer_text: str) -> None:
    """The worker writes from the status page and the case's mediator answers."""
    token = csrf_from(client, "/worker/track")
    status = client.post(
        "/worker/track",
        data={"tracking_code": one.tracking_code, "pin": one.pin, "csrf_token": token},
    )
    case_pass = re.search(r'name="case_pass" value="([^"]+)"', status.text).group(1)
    sent = client.post(
        "/worker/track/messages",
        data={"csrf_token": token, "case_pass": case_pass, "body": worker_text},
    )
    assert sent.status_code == 200, sent.text
    client.cookies.clear()
    sign_in(client, "mediator")
    case_path = f"/mediator/cases/{case_reference(client.app.state, one.complaint_id)}"
    send_form(client, case_path, f"{case_path}/messages", {"body": answer_text})
    client.cookies.clear()


def take_over_after_failed_mediation(client: TestClient, one: Filed, reason: str) -> None:
    """The mediator closes the case as failed; an inspector takes it over (立案)."""
    sign_in(client, "mediator")
    case_path = f"/mediator/cases/{case_reference(client.app.state, one.complaint_id)}"
    for action, data in (("accept", {}), ("close", {"outcome": "failure"})):
        send_form(client, case_path, f"{case_path}/{action}", data)
    client.cookies.clear()
    sign_in(client, "inspector.a")
    case_path = f"/inspector/complaints/{case_reference(client.app.state, one.complaint_id)}"
    send_form(client, case_path, f"{case_path}/inspection", {"reason": reason})
    client.cookies.clear()


# Messages on cases and a take-over: none of it is ever the employer's, whatever the worker
# disclosed (the texts, and the words that would tell that they exist).
TALK = {
    "anonymous": ("工头说下周发钱但没发ZX4", "调解员已约谈用人单位WD2"),
    "disclosed": ("我同意公开但留言不公开KF6", "留言只给申请人看NB8"),
}
TAKEOVER_REASON = "用人单位拒不到场立案理由LV6"
TALK_WORDS = [
    *TALK["anonymous"], *TALK["disclosed"], TAKEOVER_REASON,
    "已由劳动保障监察立案处理", "Taken over by the labour inspectors", "劳动保障监察立案",
    "申请人留言", "承办人留言", "Message from the complainant", "Message from the handler",
    "inspection case",
]  # fmt: skip


def evidence_values(evidence: list[ComplaintEvidence]) -> list[str]:
    """What would tell the employer that evidence exists, or what it is."""
    values = ["证据已上传", "Evidence uploaded"]
    for one in evidence:
        values += [one.original_name, one.stored_name, one.stored_name[:32], one.sha256]
    return values


def leaks(texts: dict[str, str], values: list[str]) -> list[tuple[str, str]]:
    found = []
    for where, body in texts.items():
        unescaped = json.loads(json.dumps(body))  # the same text; JSON bodies are UTF-8
        found += [(where, value) for value in values if value and value in unescaped]
    return found


def secrets_of(filed: list[Filed], *, disclosed: bool) -> list[str]:
    values = []
    for one in filed:
        if one.secret.disclose != disclosed:
            continue
        values += one.secret.values()
        with_dates = [one.tracking_code, one.pin]
        values += with_dates if not disclosed else []
    return values


def sums(filed: list[Filed]) -> list[str]:
    """Totals an alert could carry (complaints.cluster and mediation.overdue sum the amounts
    of their complaints): every sum of two or more, with or without the disclosed one."""
    fens = [round(float(f.secret.amount) * 100) for f in filed]
    totals = {
        sum(fen for i, fen in enumerate(fens) if mask >> i & 1)
        for mask in range(1 << len(fens))
        if mask.bit_count() >= 2
    }
    return [f"{t // 100:,}.{t % 100:02d}" for t in totals] + [str(t) for t in totals]


def exact_days(world, filed: list[Filed]) -> list[str]:
    """The day each anonymous complaint arrived and its mediation deadline."""
    days = []
    with session_scope(world.engine) as session:
        for one in filed:
            if one.secret.disclose:
                continue
            complaint = session.get(Complaint, one.complaint_id)
            days += [complaint.received_on.isoformat(), complaint.mediation_due_on.isoformat()]
    return days


# --- the tests ------------------------------------------------------------------------------


def test_an_employer_finds_nothing_of_an_anonymous_complaint_anywhere(
    client,
    shield_world,
    filed,
    smtp_server,  # noqa: F811
    monkeypatch,
):
    world = shield_world
    fired = run_monitors_past_the_mediation_period(client, world, filed)
    assert {"mediation.overdue", "complaints.cluster"} <= set(fired)
    settings = mail_settings(smtp_server.port)
    # Searched once everything has been released to the employer, which is when the most
    # is shown.
    # Evidence from an anonymous worker and from the one who agreed to be known: neither
    # is ever the employer's, whatever the worker disclosed.
    evidence = [
        upload_evidence(client, filed[0], "夜班工资条QX7.jpg"),
        upload_evidence(client, filed[3], "考勤截图MK3.jpg"),
    ]
    talk_on_the_case(client, filed[0], *TALK["anonymous"])
    talk_on_the_case(client, filed[3], *TALK["disclosed"])
    take_over_after_failed_mediation(client, filed[1], TAKEOVER_REASON)
    now = after_release(monkeypatch, world)
    while client.portal.call(deliver_due, world.engine, settings, now):
        pass

    evidence_ids = tuple(str(one.id) for one in evidence)
    texts = employer_reachable_texts(client, world, filed, evidence_ids)
    texts |= mails_to_the_employer(smtp_server)

    # Today's date is on public pages too: the days are searched where complaints are told.
    told = {w: t for w, t in texts.items() if " /employer" in w or " /api/employer" in w}
    told |= {w: t for w, t in texts.items() if w.startswith("mail")}
    hidden = secrets_of(filed, disclosed=False) + sums(filed)
    found = leaks(texts, hidden) + leaks(told, exact_days(world, filed))
    found += leaks(texts, evidence_values(evidence))
    found += leaks(texts, TALK_WORDS)
    assert found == [], "\n".join(sorted({f"{w}: {v}" for w, v in found}))
    # The search reaches where a leak would be: the disclosed complaint shows in the page,
    # the API and the e-mail, and the anonymous ones by their week and reference only.
    shown = {value for _, value in leaks(texts, [DISCLOSED.worker_name, "5,555.01"])}
    assert shown == {DISCLOSED.worker_name, "5,555.01"}
    where = {w.split(" ")[0] for w, _ in leaks(texts, [DISCLOSED.worker_name])}
    assert {"page", "api", "mail"} <= where
    week = week_of(local_date(FILED_AT)).label("zh-CN")
    assert {v for _, v in leaks(texts, [week, *(f.public_reference for f in filed)])} == {
        week,
        *(f.public_reference for f in filed),
    }
    assert any("mail to " + EMPLOYER_CONTACT in w for w in texts)
    # The talk happened where it should: the town committee was e-mailed of the messages.
    assert any(m.to == "wuma-tj@example.org" and "留言" in m.subject for m in smtp_server.received)


def test_no_e_mail_to_anyone_carries_a_tracking_code_or_pin(
    client,
    shield_world,
    filed,
    smtp_server,  # noqa: F811
):
    run_monitors_past_the_mediation_period(client, shield_world, filed)
    settings = mail_settings(smtp_server.port)
    while client.portal.call(deliver_due, shield_world.engine, settings, clock.utc_now()):
        pass
    mails = {f"{m.to}: {m.subject}": m.subject + m.text + m.html for m in smtp_server.received}
    # The committee, the employer and the inspectors (group complaints, alerts).
    assert {"wuma-tj@example.org", EMPLOYER_CONTACT, "inspector.a@rsj.example.cn"} <= {
        m.to for m in smtp_server.received
    }
    secrets = [f.tracking_code for f in filed] + [f"PIN {f.pin}" for f in filed]
    secrets += [f">{f.pin}<" for f in filed] + [f"：{f.pin}" for f in filed]
    assert leaks(mails, secrets) == []


def test_the_employers_own_committee_gets_nothing_of_a_worker_who_stays_anonymous(
    client,
    shield_world,
    filed,
    smtp_server,  # noqa: F811
):
    settings = mail_settings(smtp_server.port)
    client.portal.call(deliver_due, shield_world.engine, settings, clock.utc_now())
    assert [m for m in smtp_server.received if m.to == COMMITTEE_MAIL] == []
    with session_scope(shield_world.engine) as session:
        anonymous = [session.get(Complaint, f.complaint_id) for f in filed[:3]]
        assert {c.committee_id for c in anonymous} == {shield_world.committee}
        assert {c.routing_rule for c in anonymous} == {"town_people_committee_identity_withheld"}
    # The worker reads why, on the page that gives the code.
    status = client.post(
        "/api/complaints/status",
        json={"tracking_code": filed[0].tracking_code, "pin": filed[0].pin},
    ).json()
    assert "would have to know who you are" in status["routing_reason_en"]


def test_the_employer_is_told_that_complaints_are_overdue_but_nothing_more(
    client, shield_world, filed, monkeypatch
):
    run_monitors_past_the_mediation_period(client, shield_world, filed)
    after_release(monkeypatch, shield_world)
    token = bearer(client, "employer.a")
    alerts = client.get("/api/employer/obligations", headers=token).json()["alerts"]
    from_complaints = [a for a in alerts if a["rule"] in COMPLAINT_RULES]
    assert {a["rule"] for a in from_complaints} == COMPLAINT_RULES
    for alert in from_complaints:
        assert (alert["amount_fen"], alert["period"], alert["first_seen"], alert["id"]) == (
            None,
            None,
            None,
            None,
        )
        assert alert["title"] and alert["legal_basis"]
    # Alerts about the employer's own records keep their figures.
    own = [a for a in alerts if a not in from_complaints]
    assert own and all(a["first_seen"] for a in own)
    # The inspectors keep the full evidence.
    inspector = bearer(client, "inspector.a")
    inbox = client.get("/api/alerts", params={"rule": "mediation.overdue"}, headers=inspector)
    assert any(row["amount_fen"] for row in inbox.json()["items"])


def test_a_typed_employer_name_never_reaches_an_inspectors_subject(
    client,
    shield_world,
    smtp_server,  # noqa: F811
):
    lure = "【紧急】账户异常请点击 http://evil.example/login 核实"
    body = {
        "description": "工地欠薪",
        "county_code": "330302",
        "employer_text": lure,
        "period_from": "2026-08",
        "amount_owed": "100",
        "workers_affected": "30",  # a group complaint: inspectors are e-mailed at once
    }
    assert client.post("/api/complaints", json=body).status_code == 201
    settings = mail_settings(smtp_server.port)
    client.portal.call(deliver_due, shield_world.engine, settings, clock.utc_now())
    to_inspectors = [m for m in smtp_server.received if m.to == "inspector.a@rsj.example.cn"]
    assert to_inspectors
    for mail in to_inspectors:
        assert "evil" not in mail.subject and "紧急" not in mail.subject
        assert "evil" not in str(mail.message["From"])
        assert "未在登记名录中" in mail.text  # shown in the body for what it is


def test_the_form_tells_the_worker_what_the_employer_will_see(client):
    page = client.get("/worker/complaint").text
    assert "用人单位只知道有一件针对它的投诉" in page
    assert "调解时必须知道您是谁" in page
    english = client.get("/worker/complaint", params={"lang": "en"}).text
    assert "your employer learns only that a complaint about it exists" in english
    assert "has to know who you are" in english


def test_employers_never_see_the_sequence_of_case_numbers(client, shield_world, filed, monkeypatch):
    after_release(monkeypatch, shield_world)
    token = bearer(client, "employer.a")
    notices = client.get("/api/employer/complaints", headers=token).json()
    assert len(notices) == 4
    assert {n["reference"] for n in notices} == {f.public_reference for f in filed}
    for notice in notices:
        assert "id" not in notice and re.fullmatch(r"R[2-9A-HJKMNP-Z]{8}", notice["reference"])
    with session_scope(shield_world.engine) as session:
        employer = session.get(Employer, shield_world.employer_a)
        assert employer is not None


# --- legal aid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AidSecret:
    """What one legal-aid application says: none of it may ever reach the employer."""

    applicant_name: str
    phone: str
    id_number: str
    amount: str
    account: str

    def values(self) -> list[str]:
        whole, _, cents = self.amount.partition(".")
        return [
            self.applicant_name, self.phone, self.id_number, self.id_number[:6] + "********",
            self.amount, f"{int(whole):,}.{cents}", self.account,
        ]  # fmt: skip


AID_FROM_CASE = AidSecret(
    "欧阳援援", "13957711111", valid_id_number("33030219850505111"), "7319.43", "法援说明QX7"
)
AID_DISCLOSED = AidSecret(
    "诸葛援援", "13957722222", valid_id_number("33030219860606222"), "6428.31", "法援说明MK3"
)
AID_ALONE = AidSecret(
    "独孤援援", "13957733333", valid_id_number("33030219870707333"), "5537.29", "独立申请ZT8"
)
# That an application exists at all: its status as the worker reads it, its record's name.
AID_WORDS = ["等待法律援助中心审查", "waiting for the legal-aid centre", "legal_aid_application"]


def apply_for_legal_aid(client: TestClient, one: Filed | None, aid: AidSecret) -> tuple[str, str]:
    """The worker applies from the case's status page (or, without a case, from the front door,
    naming employer A); returns a stand-alone application's code and PIN."""
    values = {
        "applicant_name": aid.applicant_name,
        "phone": aid.phone,
        "id_number": aid.id_number,
        "county_code": "330302",
        "amount": aid.amount,
        "employer_text": "鹿城鞋业",
        "account": aid.account,
        "matter": "unpaid_wages",
    }
    page = client.get("/worker/track")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    values["csrf_token"] = token
    if one is not None:
        status = client.post(
            "/worker/track",
            data={"tracking_code": one.tracking_code, "pin": one.pin, "csrf_token": token},
        )
        values["case_pass"] = re.search(r'name="case_pass" value="([^"]+)"', status.text).group(1)
    sent = client.post("/worker/legal-aid", data=values)
    assert sent.status_code == 200, sent.text
    client.cookies.clear()
    if one is not None:
        return "", ""
    code = re.search(r'id="tracking-code">([^<]+)<', sent.text).group(1)
    pin = re.search(r'id="pin">([^<]+)<', sent.text).group(1)
    return code, pin


def test_an_employer_finds_nothing_of_a_legal_aid_application_anywhere(
    client,
    shield_world,
    filed,
    smtp_server,  # noqa: F811
    monkeypatch,
):
    """Applications from an anonymous case, from the case of a worker who agreed to be known
    (legal aid is never the employer's business), and one made without a case that names the
    employer: no page, API or e-mail the employer reaches shows any of it. The centre's mail
    is the control: the application did go out."""
    world = shield_world
    with session_scope(world.engine) as session:
        centre = session.scalar(select(User).where(User.username == "legal_aid.a"))
        centre.email = "falv@sfj.example.cn"
    apply_for_legal_aid(client, filed[0], AID_FROM_CASE)
    apply_for_legal_aid(client, filed[3], AID_DISCLOSED)
    code, pin = apply_for_legal_aid(client, None, AID_ALONE)
    with world.engine.connect() as conn:
        application_ids = tuple(
            str(i) for i in conn.execute(text("SELECT id FROM legal_aid_application")).scalars()
        )
    assert len(application_ids) == 3
    settings = mail_settings(smtp_server.port)
    now = after_release(monkeypatch, world)
    while client.portal.call(deliver_due, world.engine, settings, now):
        pass

    texts = employer_reachable_texts(client, world, filed, application_ids=application_ids)
    texts |= mails_to_the_employer(smtp_server)

    hidden = [*AID_FROM_CASE.values(), *AID_DISCLOSED.values(), *AID_ALONE.values(), code, pin]
    found = leaks(texts, hidden + AID_WORDS)
    assert found == [], "\n".join(sorted({f"{w}: {v}" for w, v in found}))
    to_centre = [m for m in smtp_server.received if m.to == "falv@sfj.example.cn"]
    assert len(to_centre) == 3
    for mail in to_centre:  # the centre's own mail names no applicant either
        body = "\n".join((mail.subject, mail.text, mail.html))
        assert leaks({"mail": body}, hidden + [f.tracking_code for f in filed]) == []
