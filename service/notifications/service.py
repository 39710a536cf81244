"""Who is told what: the e-mails that domain events cause, queued in the caller's
transaction (flush only, never commit).

- New alerts (after a monitors run): a critical alert at once to every inspector following
  the employer's place; the others in the inspector's daily digest (one per inspector and
  day, sent at the digest hour, rebuilt while pending when more alerts come); and one
  notice per employer and monitors run listing its new alerts, with what to do. Call it
  once per run with every alert the run opened or reopened.
- Deposit proofs: the decision to the employer user who filed the proof.
- Complaints: the committee's mediators learn of a new case and of its deadline; the
  employer learns that a complaint exists (who made it only if the worker agreed); a group
  or construction complaint alerts the inspectors of the place at once.

Recipients without a usable address are skipped. The language is the recipient user's
locale; employers' contact addresses and committees' addresses get Chinese.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from monitors.reference import load_reference
from monitors.registry import all_rules
from service.alerts.models import Alert, AlertEvent
from service.auth.models import User, utc_now
from service.complaints.models import Complaint
from service.complaints.service import is_construction
from service.deposits.models import DepositProof
from service.employers.models import Employer
from service.errors import NotFound
from service.jurisdictions.models import Jurisdiction, town_code
from service.mediation.models import MediationCommittee
from service.notifications import contexts as c
from service.notifications.models import OutboxMessage
from service.notifications.outbox import enqueue, find, is_deliverable, rerender_pending
from service.notifications.render import LANGUAGES
from service.notifications.settings import MailSettings, get_mail_settings
from service.notifications.subscriptions import RANK, followers, reaches
from service.projects.models import Project

# Where the e-mails' links lead, in the portals.
INSPECTOR_ALERT = "/inspector/alerts/{id}"
INSPECTOR_ALERTS = "/inspector/alerts"
INSPECTOR_COMPLAINT = "/inspector/complaints/{id}"
MEDIATOR_CASE = "/mediator/cases/{id}"
EMPLOYER_PORTAL = "/employer"
EMPLOYER_DEPOSITS = "/employer"
# A digest's alerts are the ones it links to: read back when it is rebuilt.
DIGEST_ALERT_LINK = re.compile(re.escape(INSPECTOR_ALERT).replace(r"\{id\}", r"(\d+)"))
# Employers' and committees' contact addresses have no locale of their own.
CONTACT_LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Recipient:
    key: str  # stable, for the dedupe key: user:<id>, committee:<id>, employer:<id>
    address: str
    language: str
    name: str


def _url(settings: MailSettings, path: str, **values: object) -> str:
    return settings.mail_base_url.rstrip("/") + path.format(**values)


def _language(locale: str | None) -> str:
    return locale if locale in LANGUAGES else CONTACT_LANGUAGE


def _user_recipient(user: User) -> Recipient | None:
    if not is_deliverable(user.email):
        return None
    return Recipient(f"user:{user.id}", user.email, _language(user.locale), user.display_name)


# --- alerts -------------------------------------------------------------------------------


def notify_new_alerts(
    session: Session,
    alert_ids: list[int],
    *,
    now: datetime | None = None,
    settings: MailSettings | None = None,
) -> int:
    """Queue the e-mails for alerts a monitors run opened or reopened; returns how many
    messages were queued or rebuilt."""
    settings = settings or get_mail_settings()
    now = now or utc_now()
    alerts = _open_alerts(session, alert_ids)
    if not alerts:
        return 0
    openings = _openings(session, [a.id for a in alerts])
    employers = {e.id: e for e in _employers(session, {a.employer_id for a in alerts})}
    digests: dict[int, tuple[Recipient, set[int]]] = {}
    known: Followers = {}
    queued = 0
    for alert in alerts:
        employer = employers[alert.employer_id]
        for user, min_severity in _place_followers(session, employer, known):
            recipient = _user_recipient(user)
            if recipient is None or not reaches(alert.severity, min_severity):
                continue
            if alert.severity == "critical":
                queued += _queue_critical(
                    session, recipient, alert, employer, openings[alert.id], settings
                )
            else:
                digests.setdefault(user.id, (recipient, set()))[1].add(alert.id)
    for user_id, (recipient, ids) in digests.items():
        queued += _queue_digest(session, user_id, recipient, ids, now, settings)
    for employer_id, employer_alerts in _by_employer(alerts).items():
        queued += _queue_employer_notice(
            session, employers[employer_id], employer_alerts, openings, settings
        )
    return queued


def _open_alerts(session: Session, alert_ids: list[int]) -> list[Alert]:
    if not alert_ids:
        return []
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.id.in_(sorted(set(alert_ids))), Alert.status == "open")
            .order_by(Alert.id)
        )
    )


def _employers(session: Session, ids: set[int]) -> list[Employer]:
    return list(session.scalars(select(Employer).where(Employer.id.in_(sorted(ids)))))


@dataclass(frozen=True)
class Opening:
    """The alert's latest opening (opened or reopened event) and the run that made it: a
    reopened alert is news again, the same opening told twice is not."""

    event_id: int
    run_id: int


def _openings(session: Session, alert_ids: list[int]) -> dict[int, Opening]:
    latest = (
        select(func.max(AlertEvent.id))
        .where(AlertEvent.alert_id.in_(alert_ids), AlertEvent.kind.in_(("opened", "reopened")))
        .group_by(AlertEvent.alert_id)
    )
    rows = session.execute(
        select(AlertEvent.alert_id, AlertEvent.id, AlertEvent.run_id).where(
            AlertEvent.id.in_(latest)
        )
    ).all()
    found = {alert_id: Opening(event_id, run_id) for alert_id, event_id, run_id in rows}
    return {alert_id: found.get(alert_id, Opening(0, 0)) for alert_id in alert_ids}


Followers = dict[tuple[str, str | None], list[tuple[User, str]]]


def _place_followers(
    session: Session, employer: Employer, known: Followers
) -> list[tuple[User, str]]:
    # Many alerts share a place: ask once per place.
    place = (employer.county_code, employer.town)
    if place not in known:
        known[place] = followers(session, county_code=place[0], town=place[1])
    return known[place]


def _by_employer(alerts: list[Alert]) -> dict[int, list[Alert]]:
    grouped: dict[int, list[Alert]] = {}
    for alert in alerts:
        grouped.setdefault(alert.employer_id, []).append(alert)
    return grouped


def _queue_critical(
    session: Session,
    recipient: Recipient,
    alert: Alert,
    employer: Employer,
    opening: Opening,
    settings: MailSettings,
) -> int:
    title, action = _rule_texts(alert.rule, recipient.language)
    context = c.AlertCritical(
        recipient_name=recipient.name,
        alert=_alert_item(session, alert, employer, recipient.language, title, settings),
        action=action,
        legal_basis=_alert_basis(alert, recipient.language),
    )
    message = enqueue(
        session,
        kind="alert_critical",
        dedupe_key=f"alert_critical:{alert.id}:{opening.event_id}:{recipient.key}",
        to_address=recipient.address,
        language=recipient.language,
        context=context,
    )
    return int(message is not None)


def _queue_employer_notice(
    session: Session,
    employer: Employer,
    alerts: list[Alert],
    openings: dict[int, Opening],
    settings: MailSettings,
) -> int:
    """One notice per employer and monitors run, listing the alerts the run opened."""
    if not is_deliverable(employer.contact_email):
        return 0
    language = CONTACT_LANGUAGE
    portal = _url(settings, EMPLOYER_PORTAL)
    lines = []
    for alert in sorted(alerts, key=_severity_order):
        title, action = _rule_texts(alert.rule, language)
        item = _alert_item(session, alert, employer, language, title, settings, url=portal)
        lines.append(c.EmployerAlertLine(item, action, _alert_basis(alert, language)))
    runs = "-".join(str(r) for r in sorted({openings[a.id].run_id for a in alerts}))
    message = enqueue(
        session,
        kind="employer_alert_notice",
        dedupe_key=f"employer_alerts:{employer.id}:run:{runs}",
        to_address=employer.contact_email,
        language=language,
        context=c.EmployerAlertNotice(employer.name, tuple(lines), portal),
    )
    return int(message is not None)


def _severity_order(alert: Alert) -> tuple[int, int]:
    return (-RANK[alert.severity], alert.id)


def _rule_texts(rule_id: str, language: str) -> tuple[str, str]:
    """The rule's title and what to do, in the language; the id when the rule is gone."""
    rule = all_rules().get(rule_id)
    if rule is None:
        return rule_id, ""
    if language == "en":
        return rule.title_en, rule.action_en
    return rule.title_zh, rule.action_zh


def _alert_basis(alert: Alert, language: str) -> str:
    return alert.legal_basis_en if language == "en" else alert.legal_basis_zh


def _alert_item(
    session: Session,
    alert: Alert,
    employer: Employer,
    language: str,
    title: str,
    settings: MailSettings,
    url: str | None = None,
) -> c.AlertItem:
    return c.AlertItem(
        id=alert.id,
        rule=alert.rule,
        title=title,
        severity=alert.severity,
        employer_name=employer.name,
        employer_uscc=employer.uscc,
        place=_place(session, employer.county_code, employer.town, language),
        project_code=alert.project_code,
        period=alert.period,
        subject_count=alert.subject_count,
        amount_fen=alert.amount_fen,
        url=url or _url(settings, INSPECTOR_ALERT, id=alert.id),
    )


def _place(session: Session, county_code: str, town: str | None, language: str) -> str:
    county = session.get(Jurisdiction, county_code)
    town_row = session.get(Jurisdiction, town_code(county_code, town)) if town else None
    english = language == "en"
    county_name = (county.name_en if english else county.name_zh) if county else county_code
    if not town:
        return county_name
    town_name = (town_row.name_en if english else town_row.name_zh) if town_row else town
    return f"{town_name}, {county_name}" if english else f"{county_name} {town_name}"


# --- the daily digest ---------------------------------------------------------------------


def next_digest_at(now: datetime, settings: MailSettings) -> datetime:
    """The next digest hour in the service's time zone (strictly after `now`), in UTC."""
    local = now.astimezone(ZoneInfo(settings.time_zone))
    at = local.replace(hour=settings.mail_digest_hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at += timedelta(days=1)
    return at.astimezone(UTC)


def digest_alert_ids(message: OutboxMessage) -> set[int]:
    return {int(found) for found in DIGEST_ALERT_LINK.findall(message.body_text)}


def _queue_digest(
    session: Session,
    user_id: int,
    recipient: Recipient,
    alert_ids: set[int],
    now: datetime,
    settings: MailSettings,
) -> int:
    """Add the alerts to the recipient's next pending digest, or start one. A digest the
    sender already took leaves its alerts to the next day's."""
    zone = ZoneInfo(settings.time_zone)
    send_at = next_digest_at(now, settings)
    while True:
        day = send_at.astimezone(zone).date()
        key = f"digest:{user_id}:{day.isoformat()}"
        existing = find(session, dedupe_key=key)
        if existing is None:
            context = _digest_context(session, recipient, day, alert_ids, settings)
            enqueue(
                session,
                kind="alert_digest",
                dedupe_key=key,
                to_address=recipient.address,
                language=recipient.language,
                context=context,
                not_before=send_at,
            )
            return 1
        if existing.status == "pending":
            included = digest_alert_ids(existing)
            if alert_ids <= included:
                return 0
            context = _digest_context(session, recipient, day, included | alert_ids, settings)
            if rerender_pending(
                session,
                message=existing,
                to_address=recipient.address,
                language=recipient.language,
                context=context,
            ):
                return 1
        send_at += timedelta(days=1)


def _digest_context(
    session: Session, recipient: Recipient, day: date, alert_ids: set[int], settings: MailSettings
) -> c.AlertDigest:
    alerts = sorted(
        session.scalars(select(Alert).where(Alert.id.in_(sorted(alert_ids)))),
        key=_severity_order,
    )
    employers = {e.id: e for e in _employers(session, {a.employer_id for a in alerts})}
    items = tuple(
        _alert_item(
            session,
            alert,
            employers[alert.employer_id],
            recipient.language,
            _rule_texts(alert.rule, recipient.language)[0],
            settings,
        )
        for alert in alerts
    )
    return c.AlertDigest(
        recipient_name=recipient.name,
        digest_on=day,
        alerts=items,
        inbox_url=_url(settings, INSPECTOR_ALERTS),
    )


# --- deposit proofs -----------------------------------------------------------------------


def notify_proof_decision(
    session: Session, proof_id: int, *, settings: MailSettings | None = None
) -> int:
    """Tell the employer user who filed a proof that it was approved or rejected (the
    employer's contact address when that user has none)."""
    settings = settings or get_mail_settings()
    proof = session.get(DepositProof, proof_id)
    if proof is None:
        raise NotFound(f"deposit proof {proof_id}")
    if proof.status not in ("approved", "rejected"):
        return 0
    employer = session.get(Employer, proof.employer_id)
    recipient = _proof_recipient(session, proof, employer)
    if recipient is None:
        return 0
    project = session.get(Project, proof.project_id) if proof.project_id else None
    context = c.ProofDecision(
        recipient_name=recipient.name,
        employer_name=employer.name,
        approved=proof.status == "approved",
        reason=proof.reason,
        proof_kind=proof.kind,
        amount_fen=proof.amount_fen,
        event_date=proof.event_date,
        reference=proof.reference,
        project_name=project.name if project else None,
        url=_url(settings, EMPLOYER_DEPOSITS),
    )
    message = enqueue(
        session,
        kind="proof_decision",
        dedupe_key=f"proof_decision:{proof.id}:{proof.status}",
        to_address=recipient.address,
        language=recipient.language,
        context=context,
    )
    return int(message is not None)


def _proof_recipient(session: Session, proof: DepositProof, employer: Employer) -> Recipient | None:
    submitter = session.get(User, proof.submitted_by_id)
    if submitter is not None and submitter.is_active:
        recipient = _user_recipient(submitter)
        if recipient is not None:
            return recipient
    if is_deliverable(employer.contact_email):
        return Recipient(
            f"employer:{employer.id}", employer.contact_email, CONTACT_LANGUAGE, employer.name
        )
    return None


# --- complaints ---------------------------------------------------------------------------


def notify_case_new(
    session: Session, complaint_id: int, *, settings: MailSettings | None = None
) -> int:
    """Tell the committee a complaint was routed to it."""
    settings = settings or get_mail_settings()
    complaint = _complaint(session, complaint_id)
    committee = _committee(session, complaint)
    if committee is None:
        return 0
    is_group = _is_group(complaint)
    queued = 0
    for recipient in _committee_recipients(session, committee):
        english = recipient.language == "en"
        context = c.CaseNew(
            recipient_name=recipient.name,
            committee_name=committee.name,
            case=_case_facts(session, complaint, recipient.language, complaint.tracking_code),
            routing_reason=complaint.routing_reason_en if english else complaint.routing_reason_zh,
            is_group=is_group,
            url=_url(settings, MEDIATOR_CASE, id=complaint.id),
        )
        queued += _queue(
            session, "case_new", f"case_new:{complaint.id}:{recipient.key}", recipient, context
        )
    return queued


def notify_case_reminder(
    session: Session, complaint_id: int, days_left: int, *, settings: MailSettings | None = None
) -> int:
    """Remind the committee that the case's mediation period ends in `days_left` days."""
    settings = settings or get_mail_settings()
    complaint = _complaint(session, complaint_id)
    committee = _committee(session, complaint)
    if committee is None or complaint.status == "closed":
        return 0
    queued = 0
    for recipient in _committee_recipients(session, committee):
        context = c.CaseReminder(
            recipient_name=recipient.name,
            committee_name=committee.name,
            case=_case_facts(session, complaint, recipient.language, complaint.tracking_code),
            days_left=days_left,
            url=_url(settings, MEDIATOR_CASE, id=complaint.id),
        )
        # The due date is part of the key: an extended period earns its own reminders.
        key = (
            f"case_reminder:{complaint.id}:{complaint.mediation_due_on}:{days_left}:{recipient.key}"
        )
        queued += _queue(session, "case_reminder", key, recipient, context)
    return queued


def notify_employer_complaint(
    session: Session, complaint_id: int, *, settings: MailSettings | None = None
) -> int:
    """Tell the employer a complaint exists and how to respond; who made it only when the
    worker agreed (`disclose_identity`)."""
    settings = settings or get_mail_settings()
    complaint = _complaint(session, complaint_id)
    employer = session.get(Employer, complaint.employer_id) if complaint.employer_id else None
    if employer is None or not is_deliverable(employer.contact_email):
        return 0
    language = CONTACT_LANGUAGE
    committee = _committee(session, complaint)
    basis = load_reference().basis("mediation_period_days")
    common = {
        "employer_name": employer.name,
        # The tracking code is the worker's key to the status page: the employer gets a
        # neutral case number instead.
        "case": _case_facts(session, complaint, language, f"#{complaint.id}"),
        "committee_contact": committee.contact_email if committee else None,
        "legal_basis": basis.en if language == "en" else basis.zh,
        "portal_url": _url(settings, EMPLOYER_PORTAL),
    }
    if complaint.disclose_identity:
        context = c.EmployerComplaintNoticeWithIdentity(
            **common, worker_name=complaint.worker_name, phone=complaint.phone
        )
    else:
        context = c.EmployerComplaintNotice(**common)
    recipient = Recipient(
        f"employer:{employer.id}", employer.contact_email, language, employer.name
    )
    key = f"employer_complaint:{complaint.id}"
    return _queue(session, "employer_complaint_notice", key, recipient, context)


def notify_group_complaint(
    session: Session, complaint_id: int, *, settings: MailSettings | None = None
) -> int:
    """Alert the inspectors following the complaint's place at once, as critical."""
    settings = settings or get_mail_settings()
    complaint = _complaint(session, complaint_id)
    employer = session.get(Employer, complaint.employer_id) if complaint.employer_id else None
    construction = complaint.project_id is not None or (
        employer is not None and is_construction(employer.industry_code, load_reference())
    )
    queued = 0
    for user, _min_severity in followers(
        session, county_code=complaint.county_code, town=complaint.town
    ):
        # Critical reaches every subscription, whatever its minimum severity.
        recipient = _user_recipient(user)
        if recipient is None:
            continue
        context = c.GroupComplaintAlert(
            recipient_name=recipient.name,
            case=_case_facts(session, complaint, recipient.language, complaint.tracking_code),
            is_group=_is_group(complaint),
            is_construction=construction,
            url=_url(settings, INSPECTOR_COMPLAINT, id=complaint.id),
        )
        key = f"group_complaint:{complaint.id}:{recipient.key}"
        queued += _queue(session, "group_complaint_alert", key, recipient, context)
    return queued


def _queue(session: Session, kind: str, key: str, recipient: Recipient, context: object) -> int:
    message = enqueue(
        session,
        kind=kind,
        dedupe_key=key,
        to_address=recipient.address,
        language=recipient.language,
        context=context,
    )
    return int(message is not None)


def _complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"complaint {complaint_id}")
    return complaint


def _committee(session: Session, complaint: Complaint) -> MediationCommittee | None:
    if complaint.committee_id is None:
        return None
    return session.get(MediationCommittee, complaint.committee_id)


def _is_group(complaint: Complaint) -> bool:
    # 以上 includes the number (Law Art. 7).
    minimum = load_reference().value("group_complaint_min_workers", on=complaint.received_on)
    return complaint.workers_affected >= minimum


def _committee_recipients(session: Session, committee: MediationCommittee) -> list[Recipient]:
    """The committee's active mediators with an address, and its own contact address
    unless a mediator already uses it."""
    mediators = session.scalars(
        select(User)
        .where(User.role == "mediator", User.committee_id == committee.id, User.is_active)
        .order_by(User.id)
    ).all()
    recipients = [r for r in map(_user_recipient, mediators) if r is not None]
    addresses = {r.address.lower() for r in recipients}
    contact = committee.contact_email
    if is_deliverable(contact) and contact.lower() not in addresses:
        recipients.append(
            Recipient(f"committee:{committee.id}", contact, CONTACT_LANGUAGE, committee.name)
        )
    return recipients


def _case_facts(
    session: Session, complaint: Complaint, language: str, reference: str
) -> c.CaseFacts:
    employer = session.get(Employer, complaint.employer_id) if complaint.employer_id else None
    project = session.get(Project, complaint.project_id) if complaint.project_id else None
    committee = _committee(session, complaint)
    return c.CaseFacts(
        reference=reference,
        kind=complaint.kind,
        employer_name=employer.name if employer else (complaint.employer_text or "—"),
        place=_place(session, complaint.county_code, complaint.town, language),
        project_name=project.name if project else None,
        period_from=complaint.period_from,
        period_to=complaint.period_to,
        amount_owed_fen=complaint.amount_owed_fen,
        workers_affected=complaint.workers_affected,
        received_on=complaint.received_on,
        mediation_due_on=complaint.mediation_due_on,
        committee_name=committee.name if committee else None,
    )
