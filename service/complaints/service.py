"""Filing a worker's complaint: checked, stored, routed at once, and explained.

The complaint is stored (flushed) before the tracking code and PIN are returned, and the
caller shows them only after its transaction commits. The PIN exists in clear only in the
returned value: the database holds its argon2 hash.

Group complaints and complaints about construction projects also alert the county's labour
inspectors at once (notifications domain), and the case's timeline says so.
"""

import importlib
import importlib.util
import logging
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, or_, select
from sqlmodel import Session

from monitors.reference import Reference, load_reference
from service import data_version
from service.auth.actors import Actor
from service.auth.passwords import hash_password
from service.complaints.deadlines import local_date, mediation_due_on
from service.complaints.form import CheckedComplaint, ComplaintForm, check_form, normalised
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.routing import Routing, RoutingCase, route
from service.complaints.schemas import EmployerHit, EmployerNotice, ProjectHit
from service.employers.models import Employer
from service.mediation.models import MediationCommittee
from service.projects.models import Project

log = logging.getLogger(__name__)

# Tracking codes: "WG" and 10 characters without look-alikes (no 0/O, 1/I/L): 31^10 ≈ 8·10^14
# codes, read aloud or typed from a photo without mistakes.
CODE_PREFIX = "WG"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
PIN_DIGITS = 6
SEARCH_LIMIT = 10
NOTIFICATIONS_MODULE = "service.notifications.service"


@dataclass(frozen=True)
class FiledComplaint:
    """What the worker is shown once, after the commit: the code and the PIN in clear."""

    complaint_id: int
    tracking_code: str
    pin: str = field(repr=False)
    committee_id: int | None
    committee_name: str | None
    routing_rule: str | None
    routing_reason_zh: str
    routing_reason_en: str
    mediation_due_on: date | None
    inspectors_alerted: bool


def new_tracking_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def _unused_tracking_code(session: Session) -> str:
    """A code no complaint has; the unique constraint backs this up."""
    while True:
        code = new_tracking_code()
        if session.scalar(select(Complaint.id).where(Complaint.tracking_code == code)) is None:
            return code


def file_complaint(
    session: Session,
    *,
    form: ComplaintForm,
    received_at: datetime,
    reference: Reference | None = None,
) -> FiledComplaint:
    """Check, store and route a complaint; Invalid({field: {"zh-CN", "en"}}) on bad input."""
    reference = reference or load_reference()
    received_on = local_date(received_at)
    checked = check_form(session, form, received_on=received_on)
    pin = new_pin()
    complaint = _stored(session, checked, received_at, received_on, pin)
    routing = _routed(session, complaint, checked, reference)
    alerted = _alert_inspectors_if_needed(session, complaint, reference)
    _notify_committee_and_employer(session, complaint)
    data_version.bump(session.connection())
    return FiledComplaint(
        complaint_id=complaint.id,
        tracking_code=complaint.tracking_code,
        pin=pin,
        committee_id=complaint.committee_id,
        committee_name=routing.committee.name if routing.committee else None,
        routing_rule=complaint.routing_rule,
        routing_reason_zh=routing.reason_zh,
        routing_reason_en=routing.reason_en,
        mediation_due_on=complaint.mediation_due_on,
        inspectors_alerted=alerted,
    )


def _stored(
    session: Session, checked: CheckedComplaint, received_at: datetime, received_on: date, pin: str
) -> Complaint:
    values = asdict(checked)
    complaint = Complaint(
        **values,
        tracking_code=_unused_tracking_code(session),
        pin_hash=hash_password(pin),
        received_at=received_at,
        received_on=received_on,
    )
    session.add(complaint)
    session.flush()
    session.add(ComplaintEvent(complaint_id=complaint.id, kind="received", at=received_at))
    return complaint


def _routed(
    session: Session, complaint: Complaint, checked: CheckedComplaint, reference: Reference
) -> Routing:
    case = RoutingCase(
        employer_id=checked.employer_id,
        county_code=checked.county_code,
        town=checked.town,
        agrees_to_enterprise_mediation=checked.agrees_to_enterprise_mediation,
    )
    routing = route(session, case, reference=reference)
    complaint.routing_reason_zh = routing.reason_zh
    complaint.routing_reason_en = routing.reason_en
    agreed = "yes" if checked.agrees_to_enterprise_mediation else "no"
    if routing.rule is None or routing.committee is None:
        note = f"no mediation body on record; agrees_to_enterprise_mediation={agreed}"
        kind = "unrouted"
    else:
        complaint.committee_id = routing.committee.id
        complaint.routing_rule = routing.rule.rule_id
        complaint.mediation_due_on = mediation_due_on(complaint.received_on, reference=reference)
        note = f"{routing.rule.rule_id}; agrees_to_enterprise_mediation={agreed}"
        kind = "routed"
    session.add(
        ComplaintEvent(complaint_id=complaint.id, kind=kind, at=complaint.received_at, note=note)
    )
    session.flush()
    return routing


# --- alerting the inspectors --------------------------------------------------------------------


def alert_reasons(session: Session, complaint: Complaint, reference: Reference) -> list[str]:
    """Why the county's inspectors must hear of this complaint at once (empty: they need not).

    A group complaint: at least `group_complaint_min_workers` workers (Law Art. 7; 以上
    includes the number). A construction complaint: about a project, or against an employer
    in construction (GB/T 4754 E47–E50), where wage arrears concentrate (Decree 724 ch. 4).
    """
    reasons = []
    minimum = int(reference.value("group_complaint_min_workers", on=complaint.received_on))
    if complaint.workers_affected >= minimum:
        reasons.append(f"group: {complaint.workers_affected} workers (at least {minimum})")
    if complaint.project_id is not None:
        reasons.append("construction: about a project")
    elif complaint.employer_id is not None:
        employer = session.get(Employer, complaint.employer_id)
        if employer is not None and is_construction(employer.industry_code, reference):
            reasons.append(f"construction: employer industry {employer.industry_code}")
    return reasons


def is_construction(industry_code: str | None, reference: Reference) -> bool:
    """Whether an industry code is construction: GB/T 4754 E47–E50, the deposit sector."""
    if not industry_code:
        return False
    flags = reference.industry_flags(pd.Series([industry_code], dtype="str"))
    return bool(flags["deposit_sector"].iloc[0])


def _alert_inspectors_if_needed(
    session: Session, complaint: Complaint, reference: Reference
) -> bool:
    reasons = alert_reasons(session, complaint, reference)
    if not reasons:
        return False
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind="inspectors_alerted",
            at=complaint.received_at,
            note="critical; " + "; ".join(reasons),
        )
    )
    session.flush()
    _notify_group_complaint(session, complaint.id)
    return True


def _notify_committee_and_employer(session: Session, complaint: Complaint) -> None:
    """The committee hears of its new case, the employer that a complaint exists (and who
    made it only if the worker agreed) — queued in the filing's own transaction."""
    from service.notifications.service import notify_case_new, notify_employer_complaint

    if complaint.committee_id is not None:
        notify_case_new(session, complaint.id)
    if complaint.employer_id is not None:
        notify_employer_complaint(session, complaint.id)


def _notify_group_complaint(session: Session, complaint_id: int) -> None:
    """Queue the inspectors' e-mail through the notifications domain, once it exists.

    Imported late: notifications may import this domain, and it is being written now."""
    if importlib.util.find_spec(NOTIFICATIONS_MODULE) is None:
        log.warning("complaint %s: no notifications module, inspectors not e-mailed", complaint_id)
        return
    notify = getattr(importlib.import_module(NOTIFICATIONS_MODULE), "notify_group_complaint", None)
    if notify is None:
        log.warning(
            "complaint %s: no notify_group_complaint, inspectors not e-mailed", complaint_id
        )
        return
    notify(session, complaint_id)


# --- searches for the form ----------------------------------------------------------------------


def employer_search(session: Session, query: str, county: str | None = None) -> list[EmployerHit]:
    """Employers whose name contains `query`, or whose USCC is exactly `query` (at most 10)."""
    text = normalised(query)
    if not text:
        return []
    matches = or_(Employer.name.contains(text, autoescape=True), Employer.uscc == text.upper())
    statement = select(Employer.id, Employer.name, Employer.county_code, Employer.town).where(
        matches
    )
    if county:
        statement = statement.where(Employer.county_code == county)
    rows = session.execute(
        statement.order_by(func.length(Employer.name), Employer.name).limit(SEARCH_LIMIT)
    ).all()
    return [EmployerHit(id=r.id, name=r.name, county_code=r.county_code, town=r.town) for r in rows]


def project_search(session: Session, query: str, county: str) -> list[ProjectHit]:
    """Projects in the county whose name or code contains `query` (at most 10)."""
    text = normalised(query)
    if not text or not county:
        return []
    rows = session.execute(
        select(Project.id, Project.project_code, Project.name)
        .where(
            Project.county_code == county,
            or_(
                Project.name.contains(text, autoescape=True),
                Project.project_code.contains(text, autoescape=True),
            ),
        )
        .order_by(Project.name)
        .limit(SEARCH_LIMIT)
    ).all()
    return [ProjectHit(id=r.id, project_code=r.project_code, name=r.name) for r in rows]


# --- what the employer is told ------------------------------------------------------------------


def notices_for_employer(session: Session, actor: Actor) -> list[EmployerNotice]:
    """Complaints about the actor's employer, newest first; never who made them unless the
    worker agreed. Any other actor gets nothing here."""
    if actor.role != "employer" or actor.employer_id is None:
        return []
    rows = session.execute(
        select(Complaint, MediationCommittee.name, Project.project_code)
        .outerjoin(MediationCommittee, MediationCommittee.id == Complaint.committee_id)
        .outerjoin(Project, Project.id == Complaint.project_id)
        .where(Complaint.employer_id == actor.employer_id)
        .order_by(Complaint.received_on.desc(), Complaint.id.desc())
    ).all()
    return [_notice(complaint, committee, project) for complaint, committee, project in rows]


def _notice(complaint: Complaint, committee: str | None, project: str | None) -> EmployerNotice:
    disclosed = complaint.disclose_identity
    return EmployerNotice(
        id=complaint.id,
        kind=complaint.kind,
        status=complaint.status,
        received_on=complaint.received_on,
        project_code=project,
        period_from=complaint.period_from,
        period_to=complaint.period_to,
        amount_owed_fen=complaint.amount_owed_fen,
        workers_affected=complaint.workers_affected,
        committee_name=committee,
        mediation_due_on=complaint.mediation_due_on,
        outcome=complaint.outcome,
        identity_disclosed=disclosed,
        worker_name=complaint.worker_name if disclosed else None,
        phone=complaint.phone if disclosed else None,
        description=complaint.description if disclosed else None,
    )
