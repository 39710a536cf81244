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
locale; employers' contact addresses and committees' addresses get Chinese. Every message
records its audience (notifications.audience), checked again when it is sent: an inspector
moved elsewhere, a deactivated account or a changed address receives nothing queued before.
No e-mail carries a tracking code or PIN (they are the worker's alone) or text typed by an
anonymous person in its subject.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import defer
from sqlmodel import Session, col

from monitors.reference import Reference
from monitors.registry import all_rules
from service import clock
from service.alerts.models import Alert, AlertEvent
from service.alerts.severity import RANK as SEVERITY_RANK
from service.auth.models import User
from service.clock import utc_now
from service.committees.contacts import contact_for
from service.committees.models import MediationCommittee
from service.complaints.disclosure import (
    alert_for_employer,
    is_complaint_derived,
    release_instant,
    shield_leaks,
    week_of,
)
from service.complaints.models import Complaint
from service.complaints.service import is_group, urgency
from service.config import Settings, get_settings
from service.db import id_chunks
from service.deposits.models import DepositProof
from service.employers.models import Employer
from service.errors import NotFound
from service.jurisdictions.models import Jurisdiction, town_code
from service.notifications import contexts as c
from service.notifications import keys
from service.notifications.audience import Audience, covers
from service.notifications.models import OutboxMessage
from service.notifications.outbox import (
    NewMessage,
    enqueue,
    enqueue_all,
    extend_pending,
    find,
    is_deliverable,
)
from service.notifications.render import LANGUAGES, Rendered, render
from service.notifications.subscriptions import followers, reaches
from service.projects.models import Project
from service.stored import stored_id

# Where the e-mails' links lead, in the portals.
INSPECTOR_ALERT = "/inspector/alerts/{id}"
INSPECTOR_ALERTS = "/inspector/alerts"
INSPECTOR_EMPLOYER_CRITICAL = "/inspector/alerts?severity=critical&q={uscc}"
INSPECTOR_COMPLAINT = "/inspector/complaints/{reference}"
MEDIATOR_CASE = "/mediator/cases/{reference}"
EMPLOYER_PORTAL = "/employer"
EMPLOYER_DEPOSITS = "/employer"
# Employers' and committees' contact addresses have no locale of their own.
CONTACT_LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Recipient:
    key: str  # stable, for the dedupe key: user:<id>, committee:<id>, employer:<id>
    address: str
    language: str
    name: str
    user_id: int | None = None  # the account, when the address is a user's


def _url(settings: Settings, path: str, **values: object) -> str:
    return settings.mail_base_url.rstrip("/") + path.format(**values)


def _language(locale: str | None) -> str:
    return locale if locale in LANGUAGES else CONTACT_LANGUAGE


def _user_recipient(user: User) -> Recipient | None:
    if not is_deliverable(user.email):
        return None
    return Recipient(
        keys.user(user.id), user.email, _language(user.locale), user.display_name, user.id
    )


def place_code(county_code: str, town: str | None) -> str:
    """The most precise jurisdiction code of a place (an inspector's scope must cover it)."""
    return town_code(county_code, town) if town else county_code


# --- alerts -------------------------------------------------------------------------------


def notify_new_alerts(
    session: Session,
    alert_ids: list[int],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Queue the e-mails for alerts a monitors run opened or reopened; returns how many
    messages were queued, or digests added to."""
    settings = settings or get_settings()
    now = now or utc_now()
    alerts = _opened(session, alert_ids)
    if not alerts:
        return 0
    openings = _openings(session, [alert.id for alert in alerts])
    employers = _told_employers(session, {alert.employer_id for alert in alerts})
    digests: dict[int, tuple[Recipient, set[int]]] = {}
    critical: dict[tuple[int, int], tuple[Recipient, list[_Opened]]] = {}  # by user, employer
    known: Followers = {}
    for alert in alerts:
        employer = employers[alert.employer_id]
        for recipient, user_id, min_severity in _place_followers(session, employer, known):
            if not reaches(alert.severity, min_severity):
                continue
            if alert.severity == "critical":
                key = (user_id, alert.employer_id)
                critical.setdefault(key, (recipient, []))[1].append(alert)
            else:
                digests.setdefault(user_id, (recipient, set()))[1].add(alert.id)
    messages = [
        _critical(recipient, employers[employer_id], about, openings)
        for (_, employer_id), (recipient, about) in critical.items()
    ]
    queued = enqueue_all(session, messages, now=now)
    for user_id, (recipient, ids) in digests.items():
        queued += _queue_digest(session, user_id, recipient, ids, now, settings)
    notices: list[NewMessage] = []
    for employer_id, employer_alerts in _by_employer(alerts).items():
        employer = employers[employer_id]
        for not_before, told in _by_release(employer_alerts).items():
            notice = _employer_alert_notice(employer, told, openings, not_before)
            if notice is not None:
                notices.append(notice)
    return queued + enqueue_all(session, notices, now=now)


@dataclass(frozen=True)
class _Opened:
    """What telling of a newly opened alert needs of it (its e-mails are worded as they
    leave, from the alert as it stands then)."""

    id: int
    employer_id: int
    severity: str
    rule: str
    first_seen: date


@dataclass(frozen=True)
class _ToldEmployer:
    """What telling of an employer's new alerts needs of it: its place and its address."""

    id: int
    county_code: str
    town: str | None
    contact_email: str | None


def _told_employers(session: Session, ids: set[int]) -> dict[int, _ToldEmployer]:
    columns = (Employer.id, Employer.county_code, Employer.town, Employer.contact_email)
    found = (
        _ToldEmployer(*row)
        for chunk in id_chunks(ids)
        for row in session.execute(select(*map(col, columns)).where(col(Employer.id).in_(chunk)))
    )
    return {employer.id: employer for employer in found}


def _opened(session: Session, alert_ids: list[int]) -> list[_Opened]:
    """The alerts still open of `alert_ids`, by id: five columns, not whole rows (a run may
    open 60,000)."""
    columns = (Alert.id, Alert.employer_id, Alert.severity, Alert.rule, Alert.first_seen)
    return [
        _Opened(*row)
        for chunk in id_chunks(alert_ids)
        for row in session.execute(
            select(*map(col, columns))
            .where(col(Alert.id).in_(chunk), col(Alert.status) == "open")
            .order_by(col(Alert.id))
        )
    ]


def _by_release(alerts: list[_Opened]) -> dict[datetime | None, list[_Opened]]:
    """The employer's alerts by when it may be told of them: at once (None), or, for
    complaint-derived ones, from the Monday after the week they were first seen
    (complaints.disclosure: the day they fire dates the complaint)."""
    grouped: dict[datetime | None, list[_Opened]] = {}
    for alert in alerts:
        held = release_instant(alert.first_seen) if is_complaint_derived(alert.rule) else None
        grouped.setdefault(held, []).append(alert)
    return grouped


def _open_alerts(session: Session, alert_ids: list[int]) -> list[Alert]:
    return [alert for alert in _alerts(session, alert_ids) if alert.status == "open"]


def _alerts(session: Session, alert_ids: Iterable[int]) -> list[Alert]:
    """The alerts, by id, read a chunk of ids at a time; without their evidence, which no
    e-mail shows (decoding it was a sixth of loading 62,000 new alerts)."""
    # SQLModel types the attribute as its value (a dict): it is the mapped column.
    without_evidence = defer(Alert.evidence, raiseload=True)  # type: ignore[arg-type]
    return [
        alert
        for chunk in id_chunks(alert_ids)
        for alert in session.scalars(
            select(Alert)
            .options(without_evidence)
            .where(col(Alert.id).in_(chunk))
            .order_by(col(Alert.id))
        )
    ]


def _project_names(session: Session, alerts: list[Alert]) -> dict[str, str]:
    """The names of the alerts' projects, by code: e-mails name a project, not only its code."""
    codes = {alert.project_code for alert in alerts if alert.project_code}
    return {
        code: name
        for chunk in id_chunks(codes)
        for code, name in session.execute(
            select(col(Project.project_code), col(Project.name)).where(
                col(Project.project_code).in_(chunk)
            )
        )
    }


def _employers(session: Session, ids: set[int]) -> list[Employer]:
    return [
        employer
        for chunk in id_chunks(ids)
        for employer in session.scalars(select(Employer).where(col(Employer.id).in_(chunk)))
    ]


@dataclass(frozen=True)
class Opening:
    """The alert's latest opening (opened or reopened event) and the run that made it: a
    reopened alert is news again, the same opening told twice is not."""

    event_id: int
    run_id: int


def _openings(session: Session, alert_ids: list[int]) -> dict[int, Opening]:
    found: dict[int, Opening] = {}
    for chunk in id_chunks(alert_ids):
        latest = (
            select(func.max(AlertEvent.id))
            .where(
                col(AlertEvent.alert_id).in_(chunk),
                col(AlertEvent.kind).in_(("opened", "reopened")),
            )
            .group_by(col(AlertEvent.alert_id))
        )
        rows = session.execute(
            select(col(AlertEvent.alert_id), col(AlertEvent.id), col(AlertEvent.run_id)).where(
                col(AlertEvent.id).in_(latest)
            )
        ).all()
        found |= {alert_id: Opening(event_id, run_id) for alert_id, event_id, run_id in rows}
    return {alert_id: found.get(alert_id, Opening(0, 0)) for alert_id in alert_ids}


# A place's followers who can be written to: recipient, user id and the least severity.
Followers = dict[tuple[str, str | None], list[tuple[Recipient, int, str]]]


def _place_followers(
    session: Session, employer: _ToldEmployer, known: Followers
) -> list[tuple[Recipient, int, str]]:
    # Many alerts share a place: ask once per place.
    place = (employer.county_code, employer.town)
    if place not in known:
        found = followers(session, county_code=place[0], town=place[1])
        known[place] = [
            (recipient, recipient.user_id, min_severity)
            for user, min_severity in found
            for recipient in [_user_recipient(user)]
            if recipient is not None and recipient.user_id is not None
        ]
    return known[place]


def _by_employer(alerts: list[_Opened]) -> dict[int, list[_Opened]]:
    grouped: dict[int, list[_Opened]] = {}
    for alert in alerts:
        grouped.setdefault(alert.employer_id, []).append(alert)
    return grouped


# A critical e-mail lists this many of the employer's alerts and counts the rest: each is a
# table of facts with its legal basis and advice, and a mass event could open hundreds.
CRITICAL_LISTED = 20


def _critical(
    recipient: Recipient,
    employer: _ToldEmployer,
    alerts: list[_Opened],
    openings: dict[int, Opening],
) -> NewMessage:
    """One inspector's e-mail about the critical alerts a run opened at one employer, worded
    as it leaves (worded_alert_mail)."""
    told = [openings[alert.id].event_id for alert in alerts]
    return {
        "kind": "alert_critical",
        "dedupe_key": keys.alert_critical(employer.id, told, recipient.key),
        "to_address": recipient.address,
        "language": recipient.language,
        "context": None,
        "audience": Audience(
            user_id=recipient.user_id, place=place_code(employer.county_code, employer.town)
        ),
        "alert_ids": sorted(alert.id for alert in alerts),
    }


def _critical_context(
    recipient: Recipient,
    employer: Employer,
    alerts: list[Alert],
    places: "_Places",
    settings: Settings,
    projects: dict[str, str],
) -> c.AlertCritical:
    language = recipient.language
    place = places.name(employer.county_code, employer.town, language)
    lines = []
    for alert in alerts[:CRITICAL_LISTED]:
        title, action = _rule_texts(alert.rule, language)
        url = _inspector_alert_url(settings, alert)
        item = _alert_item(alert, employer, place, title, url, projects)
        lines.append(c.AlertLine(item, action, _alert_basis(alert, language)))
    return c.AlertCritical(
        recipient.name,
        employer.name,
        tuple(lines),
        unlisted=len(alerts) - len(lines),
        inbox_url=_url(settings, INSPECTOR_EMPLOYER_CRITICAL, uscc=employer.uscc),
    )


def _employer_alert_notice(
    employer: _ToldEmployer,
    alerts: list[_Opened],
    openings: dict[int, Opening],
    not_before: datetime | None = None,
) -> NewMessage | None:
    """One notice per employer and monitors run, listing the alerts the run opened; the
    complaint-derived ones in their own notice, held until `not_before`. Worded as it leaves
    (worded_alert_mail). None if the employer has no address to write to."""
    if not is_deliverable(employer.contact_email):
        return None
    runs = sorted({openings[alert.id].run_id for alert in alerts})
    held_until = not_before.date() if not_before else None
    return {
        "kind": "employer_alert_notice",
        "dedupe_key": keys.employer_alerts(employer.id, runs, held_until),
        "to_address": employer.contact_email,
        "language": CONTACT_LANGUAGE,
        "context": None,
        "audience": Audience(employer_id=employer.id),
        "not_before": not_before,
        "alert_ids": [alert.id for alert in alerts],
    }


def _employer_notice_context(
    employer: Employer,
    place: str,
    alerts: list[Alert],
    settings: Settings,
    projects: dict[str, str],
) -> c.EmployerAlertNotice:
    language = CONTACT_LANGUAGE
    portal = _url(settings, EMPLOYER_PORTAL)
    lines = []
    for alert in sorted(alerts, key=_severity_order):
        title, action = _rule_texts(alert.rule, language)
        item = _employer_alert_item(alert, employer, place, title, portal, projects)
        lines.append(c.AlertLine(item, action, _alert_basis(alert, language)))
    return c.EmployerAlertNotice(employer.name, tuple(lines), portal)


def _severity_order(alert: Alert) -> tuple[int, int]:
    return (SEVERITY_RANK[alert.severity], stored_id(alert))


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
    alert: Alert,
    employer: Employer,
    place: str,
    title: str,
    url: str,
    projects: dict[str, str],
) -> c.AlertItem:
    """The alert as the inspectors read it, linked to `url`; `place`: the employer's;
    `projects`: project names by code."""
    return c.AlertItem(
        id=stored_id(alert),
        rule=alert.rule,
        title=title,
        severity=alert.severity,
        employer_name=employer.name,
        employer_uscc=employer.uscc,
        place=place,
        project_code=alert.project_code,
        period=alert.period,
        subject_count=alert.subject_count,
        amount_fen=alert.amount_fen,
        url=url,
        project_name=projects.get(alert.project_code, ""),
    )


def _inspector_alert_url(settings: Settings, alert: Alert) -> str:
    return _url(settings, INSPECTOR_ALERT, id=alert.id)


def _employer_alert_item(
    alert: Alert, employer: Employer, place: str, title: str, url: str, projects: dict[str, str]
) -> c.AlertItem:
    """The alert as its employer may read it: complaint-derived figures withheld
    (complaints.disclosure, the same shield as the obligations page)."""
    facts = alert_for_employer(alert)
    return replace(
        _alert_item(alert, employer, place, title, url, projects),
        id=facts.alert_id or 0,
        project_code=facts.project_code or "",
        project_name=projects.get(facts.project_code or "", ""),
        period=facts.period or "",
        subject_count=facts.subject_count,
        amount_fen=facts.amount_fen,
    )


class _Places:
    """Place names ("鹿城区 五马街道") for many counties and towns, their jurisdictions read in
    one query: a town missing from the table would be asked for again on every lookup."""

    def __init__(self, session: Session, places: Iterable[tuple[str, str | None]]) -> None:
        places = list(places)
        codes = {county for county, _ in places}
        codes |= {town_code(county, town) for county, town in places if town}
        query = select(Jurisdiction).where(col(Jurisdiction.code).in_(sorted(codes)))
        self.rows = {row.code: row for row in session.scalars(query)}

    def name(self, county_code: str, town: str | None, language: str) -> str:
        county = self.rows.get(county_code)
        town_row = self.rows.get(town_code(county_code, town)) if town else None
        english = language == "en"
        county_name = (county.name_en if english else county.name_zh) if county else county_code
        if not town:
            return county_name
        town_name = (town_row.name_en if english else town_row.name_zh) if town_row else town
        return f"{town_name}, {county_name}" if english else f"{county_name} {town_name}"


def _place(session: Session, county_code: str, town: str | None, language: str) -> str:
    return _Places(session, [(county_code, town)]).name(county_code, town, language)


# --- the daily digest ---------------------------------------------------------------------


# A digest lists this many alerts, the most severe first, and counts the rest: the first run
# after an import may open thousands, which no one reads in an e-mail.
DIGEST_LISTED = 200


def next_digest_at(now: datetime, settings: Settings) -> datetime:
    """The next digest hour in the service's time zone (strictly after `now`), in UTC."""
    local = now.astimezone(clock.local_zone(settings.time_zone))
    at = local.replace(hour=settings.mail_digest_hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at += timedelta(days=1)
    return at.astimezone(UTC)


def digest_alert_ids(message: OutboxMessage) -> set[int]:
    """The alerts a digest lists, as stored with it."""
    return set(message.alert_ids or ())


def _queue_digest(
    session: Session,
    user_id: int,
    recipient: Recipient,
    alert_ids: set[int],
    now: datetime,
    settings: Settings,
) -> int:
    """Add the alerts to the recipient's next pending digest, or start one. A digest the
    sender already took leaves its alerts to the next day's."""
    zone = clock.local_zone(settings.time_zone)
    send_at = next_digest_at(now, settings)
    while True:
        day = send_at.astimezone(zone).date()
        key = keys.digest(user_id, day)
        existing = find(session, dedupe_key=key)
        if existing is None:
            enqueue(
                session,
                now=now,
                kind="alert_digest",
                dedupe_key=key,
                to_address=recipient.address,
                language=recipient.language,
                context=None,  # worded as it leaves (worded_alert_mail)
                # Each alert's place is checked again at send time (refresh_digest).
                audience=Audience(user_id=recipient.user_id),
                not_before=send_at,
                alert_ids=alert_ids,
            )
            return 1
        if existing.status == "pending":
            included = digest_alert_ids(existing)
            if alert_ids <= included:
                return 0
            if extend_pending(
                session,
                message=existing,
                to_address=recipient.address,
                language=recipient.language,
                alert_ids=included | alert_ids,
            ):
                return 1
        send_at += timedelta(days=1)


def _digest_context(
    session: Session, recipient: Recipient, day: date, alert_ids: set[int], settings: Settings
) -> c.AlertDigest:
    alerts, unlisted = _most_severe(session, alert_ids)
    employers = {e.id: e for e in _employers(session, {a.employer_id for a in alerts})}
    places = _Places(session, [(e.county_code, e.town) for e in employers.values()])
    projects = _project_names(session, alerts)
    language = recipient.language
    items = tuple(
        _alert_item(
            alert,
            employer,
            places.name(employer.county_code, employer.town, language),
            _rule_texts(alert.rule, language)[0],
            _inspector_alert_url(settings, alert),
            projects,
        )
        for alert in alerts
        for employer in [employers[alert.employer_id]]
    )
    return c.AlertDigest(
        recipient_name=recipient.name,
        digest_on=day,
        alerts=items,
        inbox_url=_url(settings, INSPECTOR_ALERTS),
        unlisted=unlisted,
    )


def _most_severe(session: Session, alert_ids: set[int]) -> tuple[list[Alert], int]:
    """The DIGEST_LISTED most severe of the alerts, most severe first, and how many others:
    ranked from their ids and severities, only those listed loaded whole."""
    ranked = sorted(
        (SEVERITY_RANK[severity], alert_id)
        for chunk in id_chunks(alert_ids)
        for alert_id, severity in session.execute(
            select(col(Alert.id), col(Alert.severity)).where(col(Alert.id).in_(chunk))
        )
    )
    listed = [alert_id for _, alert_id in ranked[:DIGEST_LISTED]]
    return sorted(_alerts(session, listed), key=_severity_order), len(ranked) - len(listed)


# --- deposit proofs -----------------------------------------------------------------------


def notify_proof_decision(
    session: Session, proof_id: int, *, settings: Settings | None = None
) -> int:
    """Tell the employer user who filed a proof that it was approved or rejected (the
    employer's contact address when that user has none)."""
    settings = settings or get_settings()
    proof = session.get(DepositProof, proof_id)
    if proof is None:
        raise NotFound(f"deposit proof {proof_id}")
    if proof.status not in ("approved", "rejected"):
        return 0
    employer = session.get_one(Employer, proof.employer_id)
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
        dedupe_key=keys.proof_decision(stored_id(proof), proof.status),
        to_address=recipient.address,
        language=recipient.language,
        context=context,
        audience=Audience(user_id=recipient.user_id, employer_id=employer.id),
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
            keys.employer(employer.id), employer.contact_email, CONTACT_LANGUAGE, employer.name
        )
    return None


# --- complaints ---------------------------------------------------------------------------


def notify_case_new(
    session: Session,
    complaint_id: int,
    *,
    reference: Reference,
    settings: Settings | None = None,
) -> int:
    """Tell the committee a complaint was routed to it."""
    settings = settings or get_settings()
    complaint = _complaint(session, complaint_id)
    committee = _committee(session, complaint)
    if committee is None:
        return 0
    group = is_group(complaint, reference)
    queued = 0
    for recipient, audience in _committee_addressees(session, committee):
        english = recipient.language == "en"
        context = c.CaseNew(
            recipient_name=recipient.name,
            committee_name=committee.name,
            case=_case_facts(session, complaint, recipient.language),
            routing_reason=complaint.routing_reason_en if english else complaint.routing_reason_zh,
            is_group=group,
            url=_url(settings, MEDIATOR_CASE, reference=complaint.public_reference),
        )
        key = keys.case_new(stored_id(complaint), recipient.key)
        queued += _queue(session, "case_new", key, recipient, context, audience)
    return queued


def notify_case_reminder(
    session: Session, complaint_id: int, days_left: int, *, settings: Settings | None = None
) -> int:
    """Remind the committee that the case's mediation period ends in `days_left` days."""
    settings = settings or get_settings()
    complaint = _complaint(session, complaint_id)
    committee = _committee(session, complaint)
    if committee is None or complaint.status == "closed":
        return 0
    queued = 0
    for recipient, audience in _committee_addressees(session, committee):
        context = c.CaseReminder(
            recipient_name=recipient.name,
            committee_name=committee.name,
            case=_case_facts(session, complaint, recipient.language),
            days_left=days_left,
            url=_url(settings, MEDIATOR_CASE, reference=complaint.public_reference),
        )
        key = keys.case_reminder(
            stored_id(complaint), complaint.mediation_due_on, days_left, recipient.key
        )
        queued += _queue(session, "case_reminder", key, recipient, context, audience)
    return queued


def notify_employer_complaint(
    session: Session,
    complaint_id: int,
    *,
    reference: Reference,
    settings: Settings | None = None,
) -> int:
    """Tell the employer a complaint exists, who handles it and how to respond; what it says
    and who made it only when the worker agreed (`disclose_identity`; complaints.disclosure
    holds the rule, the employer's page follows the same)."""
    settings = settings or get_settings()
    complaint = _complaint(session, complaint_id)
    employer = session.get(Employer, complaint.employer_id) if complaint.employer_id else None
    if employer is None or not is_deliverable(employer.contact_email):
        return 0
    recipient = Recipient(
        keys.employer(employer.id), employer.contact_email, CONTACT_LANGUAGE, employer.name
    )
    context = _employer_notice(session, complaint, employer, reference, settings)
    key = keys.employer_complaint(stored_id(complaint))
    audience = Audience(employer_id=employer.id)
    # Sent at once, the notice would date the complaint to the hour (complaints.disclosure).
    held = None if complaint.disclose_identity else release_instant(complaint.received_on)
    return _queue(
        session, "employer_complaint_notice", key, recipient, context, audience, not_before=held
    )


def _employer_notice(
    session: Session,
    complaint: Complaint,
    employer: Employer,
    reference: Reference,
    settings: Settings,
) -> c.EmployerComplaintNotice:
    language = CONTACT_LANGUAGE
    committee = _committee(session, complaint)
    contact = contact_for(committee) if committee else None
    basis = reference.basis("mediation_period_days")
    common: dict[str, Any] = {
        "employer_name": employer.name,
        "reference": complaint.public_reference,
        "received_week": week_of(complaint.received_on).label(language),
        "committee_name": committee.name if committee else None,
        "committee_contact": committee.contact_email if committee else None,
        "committee_phone": contact.phone if contact else None,
        "committee_address": contact.address_zh if contact else None,
        "legal_basis": basis.en if language == "en" else basis.zh,
        "portal_url": _url(settings, EMPLOYER_PORTAL),
    }
    if complaint.disclose_identity:
        return c.EmployerComplaintNoticeWithIdentity(
            **common,
            case=_case_facts(session, complaint, language),
            worker_name=complaint.worker_name,
            phone=complaint.phone,
        )
    return c.EmployerComplaintNotice(**common)


@dataclass(frozen=True)
class EmployerMailAtSend:
    """What may leave for an employer now: `withdraw` names why nothing may; `rendered` is
    the message rebuilt from the case as it stands (None: send it as queued)."""

    withdraw: str | None = None
    rendered: Rendered | None = None


def employer_mail_at_send(
    session: Session,
    *,
    kind: str,
    dedupe_key: str,
    employer_id: int,
    texts: list[str],
    settings: Settings,
    reference: Reference,
) -> EmployerMailAtSend:
    """The last look before a message leaves for an employer (the audience, its address,
    was checked already). A complaint notice is held until its week is over, and much can
    change by then: the complaint may now name another employer, be re-routed, or the
    worker may have given or withdrawn consent. So a notice is rebuilt from the complaint
    as it stands, and withdrawn when the complaint is no longer about this employer. Then,
    whatever the kind, the text that would leave is searched for what the complainant
    shield withholds (complaints.disclosure.shield_leaks) from each undisclosed complaint
    about the employer; any find withdraws the message: held back, never sent."""
    complaint_id = keys.employer_complaint_id(dedupe_key)
    rendered = None
    if kind == "employer_complaint_notice" and complaint_id is not None:
        complaint = session.get(Complaint, complaint_id)
        employer = session.get(Employer, employer_id)
        if complaint is None or employer is None or complaint.employer_id != employer_id:
            return EmployerMailAtSend(withdraw="the complaint is no longer about this employer")
        context = _employer_notice(session, complaint, employer, reference, settings)
        rendered = render(kind, CONTACT_LANGUAGE, context)
        texts = [rendered.subject, rendered.text, rendered.html]
    employer = session.get(Employer, employer_id)
    known = [employer.name] if employer else []  # the employer knows its own name
    undisclosed = session.scalars(
        select(Complaint).where(
            col(Complaint.employer_id) == employer_id, col(Complaint.disclose_identity).is_(False)
        )
    ).all()
    for complaint in undisclosed:
        # The notice of a complaint is held to the strict rule; anything else (alerts about
        # the employer's own payroll) only to what names the worker.
        own_notice = complaint.id == complaint_id
        leaks = shield_leaks(complaint, texts, identity_only=not own_notice, known=known)
        if leaks:
            fields = ", ".join(leaks)
            return EmployerMailAtSend(withdraw=f"it would narrow down a complainant ({fields})")
    return EmployerMailAtSend(rendered=rendered)


def notify_group_complaint(
    session: Session,
    complaint_id: int,
    *,
    reference: Reference,
    settings: Settings | None = None,
) -> int:
    """Alert the inspectors following the complaint's place at once, as critical."""
    settings = settings or get_settings()
    complaint = _complaint(session, complaint_id)
    found = urgency(session, complaint, reference)
    queued = 0
    # Critical reaches every subscription, whatever its minimum severity.
    for recipient, audience in _place_inspector_addressees(session, complaint):
        context = c.GroupComplaintAlert(
            recipient_name=recipient.name,
            case=_case_facts(session, complaint, recipient.language),
            is_group=found.is_group,
            is_construction=found.is_construction,
            url=_url(settings, INSPECTOR_COMPLAINT, reference=complaint.public_reference),
        )
        key = keys.group_complaint(stored_id(complaint), recipient.key)
        queued += _queue(session, "group_complaint_alert", key, recipient, context, audience)
    return queued


def _queue(
    session: Session,
    kind: str,
    key: str,
    recipient: Recipient,
    context: object,
    audience: Audience,
    *,
    not_before: datetime | None = None,
) -> int:
    message = enqueue(
        session,
        kind=kind,
        dedupe_key=key,
        to_address=recipient.address,
        language=recipient.language,
        context=context,
        audience=audience,
        not_before=not_before,
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


def _committee_recipients(session: Session, committee: MediationCommittee) -> list[Recipient]:
    """The committee's active mediators with an address, and its own contact address
    unless a mediator already uses it."""
    mediators = session.scalars(
        select(User)
        .where(
            col(User.role) == "mediator",
            col(User.committee_id) == committee.id,
            col(User.is_active),
        )
        .order_by(col(User.id))
    ).all()
    recipients = [r for r in map(_user_recipient, mediators) if r is not None]
    addresses = {r.address.lower() for r in recipients}
    contact = committee.contact_email
    if is_deliverable(contact) and contact.lower() not in addresses:
        recipients.append(
            Recipient(keys.committee(committee.id), contact, CONTACT_LANGUAGE, committee.name)
        )
    return recipients


def _committee_addressees(
    session: Session, committee: MediationCommittee
) -> list[tuple[Recipient, Audience]]:
    """The committee's recipients, each with the audience its copy is filed under."""
    return [
        (recipient, Audience(user_id=recipient.user_id, committee_id=committee.id))
        for recipient in _committee_recipients(session, committee)
    ]


def _place_inspector_addressees(
    session: Session, complaint: Complaint
) -> list[tuple[Recipient, Audience]]:
    """The inspectors following the complaint's place who have an address, whatever the
    minimum severity of their subscription, each with the audience its copy is filed under."""
    place = place_code(complaint.county_code, complaint.town)
    addressees = []
    for user, _min_severity in followers(
        session, county_code=complaint.county_code, town=complaint.town
    ):
        recipient = _user_recipient(user)
        if recipient is not None:
            addressees.append((recipient, Audience(user_id=recipient.user_id, place=place)))
    return addressees


def _case_facts(session: Session, complaint: Complaint, language: str) -> c.CaseFacts:
    """The case for its handlers (and for its employer when the worker agreed), named by its
    random public reference: the tracking code is the worker's alone."""
    employer = session.get(Employer, complaint.employer_id) if complaint.employer_id else None
    project = session.get(Project, complaint.project_id) if complaint.project_id else None
    committee = _committee(session, complaint)
    return c.CaseFacts(
        reference=complaint.public_reference,
        kind=complaint.kind,
        employer_name=employer.name if employer else (complaint.employer_text or "—"),
        employer_registered=employer is not None,
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


# --- at send time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertsAtSend:
    """A digest or critical e-mail checked at send time: `empty` when no alert is left to tell
    the inspector; `rendered` is the message rebuilt when some alerts were dropped, None when
    unchanged."""

    empty: bool
    rendered: Rendered | None = None
    alert_ids: frozenset[int] = frozenset()


def digest_at_send(
    session: Session, *, user_id: int, dedupe_key: str, alert_ids: list[int], settings: Settings
) -> AlertsAtSend:
    """Keep the digest's alerts whose place the inspector still covers (a moved inspector
    hears nothing more of the old place); rebuild it when some are dropped."""
    listed = set(alert_ids)
    alerts = _alerts(session, listed)
    employers = {e.id: e for e in _employers(session, {a.employer_id for a in alerts})}
    conn = session.connection()
    place_of = {
        employer_id: place_code(employer.county_code, employer.town)
        for employer_id, employer in employers.items()
    }
    # One look-up per place, not per alert: a digest may hold thousands of a few places.
    covered = {place for place in set(place_of.values()) if covers(conn, user_id, place)}
    kept = {stored_id(alert) for alert in alerts if place_of[alert.employer_id] in covered}
    if kept == listed:
        return AlertsAtSend(empty=False)
    recipient = _recipient_of(session, user_id)
    if not kept or recipient is None:
        return AlertsAtSend(empty=True)
    rendered = _digest_words(session, recipient, dedupe_key, kept, settings)
    if rendered is None:
        return AlertsAtSend(empty=True)
    return AlertsAtSend(empty=False, rendered=rendered, alert_ids=frozenset(kept))


def critical_at_send(
    session: Session, *, user_id: int, alert_ids: list[int], settings: Settings
) -> AlertsAtSend:
    """Keep the critical e-mail's alerts that are still open (the e-mail may have waited for
    the mail server, and the employer paid meanwhile); rebuild it when some were dropped."""
    alerts = _open_alerts(session, alert_ids)
    still_open = {stored_id(alert) for alert in alerts}
    if still_open == set(alert_ids):
        return AlertsAtSend(empty=False)
    recipient = _recipient_of(session, user_id)
    if not alerts or recipient is None:
        return AlertsAtSend(empty=True)
    rendered = _critical_words(session, recipient, alerts, settings)
    return AlertsAtSend(empty=False, rendered=rendered, alert_ids=frozenset(still_open))


class QueuedAlertMail(Protocol):
    """What an unworded alert e-mail in the outbox says it is about (a row or a claim)."""

    @property
    def kind(self) -> str: ...
    @property
    def recipient_user_id(self) -> int | None: ...
    @property
    def about_employer_id(self) -> int | None: ...
    @property
    def alert_ids(self) -> list[int] | None: ...
    @property
    def dedupe_key(self) -> str: ...


def worded_alert_mail(
    session: Session, message: QueuedAlertMail, settings: Settings
) -> Rendered | None:
    """An alert e-mail a monitors run queued unworded (outbox.WORDED_AS_THEY_LEAVE), worded
    from its alerts as they stand, closed or not (the trimming is the sender's next step);
    None when its alerts or its recipient are gone."""
    alert_ids = message.alert_ids or []
    if message.kind == "employer_alert_notice":
        return _employer_notice_words(session, message.about_employer_id, alert_ids, settings)
    recipient = _recipient_of(session, message.recipient_user_id)
    if recipient is None:
        return None
    if message.kind == "alert_digest":
        return _digest_words(session, recipient, message.dedupe_key, set(alert_ids), settings)
    alerts = _alerts(session, alert_ids)
    return _critical_words(session, recipient, alerts, settings) if alerts else None


def _recipient_of(session: Session, user_id: int | None) -> Recipient | None:
    user = session.get(User, user_id) if user_id is not None else None
    return _user_recipient(user) if user is not None else None


def _employer_notice_words(
    session: Session, employer_id: int | None, alert_ids: list[int], settings: Settings
) -> Rendered | None:
    employer = session.get(Employer, employer_id) if employer_id is not None else None
    alerts = _alerts(session, alert_ids)
    if employer is None or not alerts:
        return None
    place = _place(session, employer.county_code, employer.town, CONTACT_LANGUAGE)
    projects = _project_names(session, alerts)
    context = _employer_notice_context(employer, place, alerts, settings, projects)
    return render("employer_alert_notice", CONTACT_LANGUAGE, context)


def _digest_words(
    session: Session, recipient: Recipient, dedupe_key: str, alert_ids: set[int], settings: Settings
) -> Rendered | None:
    context = _digest_context(session, recipient, keys.digest_day(dedupe_key), alert_ids, settings)
    if not context.alerts:
        return None
    return render("alert_digest", recipient.language, context)


def _critical_words(
    session: Session, recipient: Recipient, alerts: list[Alert], settings: Settings
) -> Rendered:
    [employer] = _employers(session, {alerts[0].employer_id})
    places = _Places(session, [(employer.county_code, employer.town)])
    projects = _project_names(session, alerts)
    context = _critical_context(recipient, employer, alerts, places, settings, projects)
    return render("alert_critical", recipient.language, context)
