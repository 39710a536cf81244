"""Filing a worker's complaint: checked, stored, routed at once, and explained.

The complaint is stored (flushed) before the tracking code and PIN are returned, and the
caller shows them only after its transaction commits. The PIN exists in clear only in the
returned value: the database holds its keyed hash (service/complaints/pins.py).

Group complaints and complaints about construction projects are marked for the county's labour
inspectors at once, and the case's timeline says so; who is e-mailed is the filing use case's
business (service/flows/filing.py).
"""

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache

import pandas as pd
from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from monitors.reference import Reference
from service import clock, data_version
from service.auth.actors import Actor
from service.bounds import SEARCH_MAX_CHARS, record_id
from service.committees.models import MediationCommittee
from service.complaints.deadlines import local_date, mediation_due_on
from service.complaints.disclosure import employer_notice, notice_released
from service.complaints.form import CheckedComplaint, ComplaintForm, check_form, normalised
from service.complaints.models import Complaint, ComplaintEvent
from service.complaints.pins import new_pin, pin_digest
from service.complaints.routing import Routing, RoutingCase, route
from service.complaints.schemas import CommitteeContact, EmployerHit, EmployerNotice, ProjectHit
from service.employers.models import Employer
from service.projects.models import Project
from service.stored import stored_id

# Tracking codes: "WG" and 10 characters without look-alikes (no 0/O, 1/I/L): 31^10 ≈ 8·10^14
# codes, read aloud or typed from a photo without mistakes.
CODE_PREFIX = "WG"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
SEARCH_LIMIT = 10


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


def file_complaint(
    session: Session,
    *,
    form: ComplaintForm,
    received_at: datetime,
    reference: Reference,
    submission: Mapping[str, str] | None = None,
    notices_pending: bool = False,
) -> FiledComplaint:
    """Check, store and route a complaint; Invalid({field: {"zh-CN", "en"}}) on bad input.

    `submission` holds the idempotency columns (service/complaints/intake.py), stored with
    the complaint; `notices_pending` marks its e-mails as still to be queued (service/
    notifications/filed.py). The tracking code and public reference are random and not looked up
    first: their unique constraints refuse a repeat (about one in 10^9 filings at a million
    complaints) with IntegrityError, and the caller files again (service/portals/
    worker_complaints.py). Every complaint filed pays for its round trips, so there are few:
    the complaint is routed before it is written and stored in one INSERT, and its timeline
    events in one more."""
    received_on = local_date(received_at)
    rows_read: list[object] = []  # employer and county: read again by routing and urgency
    checked = check_form(session, form, received_on=received_on, rows_read=rows_read)
    pin = new_pin()
    code = new_tracking_code()
    complaint = Complaint(
        **asdict(checked),
        tracking_code=code,
        pin_hash=pin_digest(tracking_code=code, pin=pin),
        received_at=received_at,
        received_on=received_on,
        submission_key=(submission or {}).get("submission_key"),
        submission_fingerprint=(submission or {}).get("submission_fingerprint"),
        notices_pending=notices_pending,
    )
    routing, routed = _routed(session, complaint, checked, reference)
    reasons = urgency(session, complaint, reference).reasons
    session.add(complaint)
    session.flush()
    complaint_id = stored_id(complaint)
    events = [ComplaintEvent(complaint_id=complaint_id, kind="received", at=received_at), routed]
    if reasons:
        events.append(_inspectors_alerted(complaint, reasons))
    for event in events:
        event.complaint_id = complaint_id
    session.add_all(events)
    session.flush()
    data_version.bump(session.connection(), data_version.Changed.of([complaint.employer_id]))
    return FiledComplaint(
        complaint_id=complaint_id,
        tracking_code=complaint.tracking_code,
        pin=pin,
        committee_id=complaint.committee_id,
        committee_name=routing.committee.name if routing.committee else None,
        routing_rule=complaint.routing_rule,
        routing_reason_zh=routing.reason_zh,
        routing_reason_en=routing.reason_en,
        mediation_due_on=complaint.mediation_due_on,
        inspectors_alerted=bool(reasons),
    )


def _routed(
    session: Session, complaint: Complaint, checked: CheckedComplaint, reference: Reference
) -> tuple[Routing, ComplaintEvent]:
    """Route the complaint not yet stored (its routing goes into its INSERT), and the
    timeline event that says how, to be stored once the complaint has its id."""
    case = RoutingCase(
        employer_id=checked.employer_id,
        county_code=checked.county_code,
        town=checked.town,
        agrees_to_enterprise_mediation=checked.agrees_to_enterprise_mediation,
        disclose_identity=checked.disclose_identity,
    )
    routing = route(session, case, reference=reference)
    complaint.routing_reason_zh = routing.reason_zh
    complaint.routing_reason_en = routing.reason_en
    agreed = "yes" if checked.agrees_to_enterprise_mediation else "no"
    disclosed = "yes" if checked.disclose_identity else "no"
    choices = f"agrees_to_enterprise_mediation={agreed}; disclose_identity={disclosed}"
    if routing.rule is None or routing.committee is None:
        note = f"no mediation body on record; {choices}"
        kind = "unrouted"
    else:
        complaint.committee_id = routing.committee.id
        complaint.routing_rule = routing.rule.rule_id
        complaint.mediation_due_on = mediation_due_on(complaint.received_on, reference=reference)
        note = f"{routing.rule.rule_id}; {choices}"
        kind = "routed"
    # complaint_id is set once the complaint is stored.
    event = ComplaintEvent(complaint_id=0, kind=kind, at=complaint.received_at, note=note)
    return routing, event


# --- alerting the inspectors --------------------------------------------------------------------


@dataclass(frozen=True)
class Urgency:
    """Why the county's inspectors must hear of a complaint at once (no reasons: they need not)."""

    is_group: bool
    is_construction: bool
    reasons: tuple[str, ...]


def urgency(session: Session, complaint: Complaint, reference: Reference) -> Urgency:
    """A group complaint: at least `group_complaint_min_workers` workers (Law Art. 7; 以上
    includes the number). A construction complaint: about a project, or against an employer
    in construction (GB/T 4754 E47–E50), where wage arrears concentrate (Decree 724 ch. 4).
    """
    reasons = []
    group = is_group(complaint, reference)
    if group:
        minimum = _group_minimum(complaint, reference)
        reasons.append(f"group: {complaint.workers_affected} workers (at least {minimum})")
    construction = complaint.project_id is not None
    if construction:
        reasons.append("construction: about a project")
    elif complaint.employer_id is not None:
        employer = session.get(Employer, complaint.employer_id)
        if employer is not None and is_construction(employer.industry_code, reference):
            construction = True
            reasons.append(f"construction: employer industry {employer.industry_code}")
    return Urgency(is_group=group, is_construction=construction, reasons=tuple(reasons))


def is_group(complaint: Complaint, reference: Reference) -> bool:
    """At least `group_complaint_min_workers` workers (Law Art. 7; 以上 includes the number)."""
    return complaint.workers_affected >= _group_minimum(complaint, reference)


def _group_minimum(complaint: Complaint, reference: Reference) -> int:
    return int(reference.value("group_complaint_min_workers", on=complaint.received_on))


def is_construction(industry_code: str | None, reference: Reference) -> bool:
    """Whether an industry code is construction: GB/T 4754 E47–E50, the deposit sector."""
    if not industry_code:
        return False
    return _is_construction(industry_code, reference)


@lru_cache(maxsize=4096)
def _is_construction(industry_code: str, reference: Reference) -> bool:
    # Per code and reference set: the pandas lookup costs milliseconds, and every complaint
    # about a registered employer asks.
    flags = reference.industry_flags(pd.Series([industry_code], dtype="str"))
    return bool(flags["deposit_sector"].iloc[0])


def _inspectors_alerted(complaint: Complaint, reasons: tuple[str, ...]) -> ComplaintEvent:
    """The timeline event marking the complaint for the place's inspectors at once."""
    return ComplaintEvent(
        complaint_id=0,  # set once the complaint is stored
        kind="inspectors_alerted",
        at=complaint.received_at,
        note="critical; " + "; ".join(reasons),
    )


# --- searches for the form ----------------------------------------------------------------------


def employer_search(session: Session, query: str, county: str | None = None) -> list[EmployerHit]:
    """Employers whose name contains `query`, or whose USCC is exactly `query` (at most 10)."""
    text = normalised(query)
    if not text or len(text) > SEARCH_MAX_CHARS:  # SQLite refuses LIKE patterns over 50 KB
        return []
    matches = or_(
        col(Employer.name).contains(text, autoescape=True), col(Employer.uscc) == text.upper()
    )
    statement = select(
        col(Employer.id), col(Employer.name), col(Employer.county_code), col(Employer.town)
    ).where(matches)
    if county:
        statement = statement.where(col(Employer.county_code) == county)
    rows = session.execute(
        statement.order_by(func.length(Employer.name), Employer.name).limit(SEARCH_LIMIT)
    ).all()
    return [EmployerHit(id=r.id, name=r.name, county_code=r.county_code, town=r.town) for r in rows]


def employer_by_uscc(session: Session, uscc: str) -> EmployerHit | None:
    """The employer with exactly this USCC, in any county: a poster's code names it, and a
    general contractor may be registered in another county than its site."""
    row = session.execute(
        select(
            col(Employer.id), col(Employer.name), col(Employer.county_code), col(Employer.town)
        ).where(col(Employer.uscc) == normalised(uscc).upper())
    ).first()
    if row is None:
        return None
    return EmployerHit(id=row.id, name=row.name, county_code=row.county_code, town=row.town)


def employer_by_id(session: Session, employer_id: object) -> EmployerHit | None:
    """The employer a form chose earlier (its id posted back), to show it chosen again."""
    found = record_id(str(employer_id or ""))
    employer = session.get(Employer, found) if found is not None else None
    if employer is None or employer.id is None:
        return None
    return EmployerHit(
        id=employer.id, name=employer.name, county_code=employer.county_code, town=employer.town
    )


def project_by_code(session: Session, code: str, county: str) -> ProjectHit | None:
    """The project in the county with exactly this code (a poster's code names it)."""
    row = session.execute(
        select(col(Project.id), col(Project.project_code), col(Project.name)).where(
            col(Project.county_code) == county, col(Project.project_code) == normalised(code)
        )
    ).first()
    return ProjectHit(id=row.id, project_code=row.project_code, name=row.name) if row else None


def project_search(session: Session, query: str, county: str) -> list[ProjectHit]:
    """Projects in the county whose name or code contains `query` (at most 10)."""
    text = normalised(query)
    if not text or not county or len(text) > SEARCH_MAX_CHARS:
        return []
    rows = session.execute(
        select(col(Project.id), col(Project.project_code), col(Project.name))
        .where(
            col(Project.county_code) == county,
            or_(
                col(Project.name).contains(text, autoescape=True),
                col(Project.project_code).contains(text, autoescape=True),
            ),
        )
        .order_by(Project.name)
        .limit(SEARCH_LIMIT)
    ).all()
    return [ProjectHit(id=r.id, project_code=r.project_code, name=r.name) for r in rows]


# --- what the employer is told ------------------------------------------------------------------


def notices_for_employer(
    session: Session, actor: Actor, *, today: date | None = None
) -> list[EmployerNotice]:
    """Complaints about the actor's employer, newest week first, as the complainant shield
    lets the employer read them (complaints.disclosure): an anonymous one only once the
    week it arrived in has ended. Any other actor gets nothing here.

    Within a week the order is the random reference's, not the order of arrival."""
    if actor.role != "employer" or actor.employer_id is None:
        return []
    rows = session.execute(
        select(Complaint, MediationCommittee, col(Project.project_code))
        .outerjoin(MediationCommittee, col(MediationCommittee.id) == col(Complaint.committee_id))
        .outerjoin(Project, col(Project.id) == col(Complaint.project_id))
        .where(col(Complaint.employer_id) == actor.employer_id)
    ).all()
    today = today or clock.today()
    notices = [
        employer_notice(
            complaint,
            committee_name=committee.name if committee else None,
            project_code=project,
            committee_contact=CommitteeContact.of(committee),
        )
        for complaint, committee, project in rows
        if notice_released(complaint, today=today)
    ]
    return sorted(notices, key=lambda n: (n.received_week_of, n.reference), reverse=True)
