"""Mediation cases: who may read them, and the mediator's work from acceptance to outcome.

Every query goes through `readable(actor)`: a mediator reads the cases of its committee, an
inspector the complaints of its jurisdiction, an administrator all; employers and anyone else
none (employers have `complaints.service.notices_for_employer`, without identities). Only
mediators of the handling committee change a case. Each change writes an audit entry (without
the worker's identity) and a timeline event; a closed case never changes again.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, true
from sqlmodel import Session, col

from monitors.reference import Reference
from service import clock, data_version
from service.audit import service as audit
from service.auth.actors import Actor
from service.committees.models import MediationCommittee
from service.complaints.deadlines import arbitration_deadline, local_date
from service.complaints.form import parse_date, parse_fen
from service.complaints.messages import Texts, texts
from service.complaints.models import OUTCOMES, Complaint, ComplaintEvent, MediationSession
from service.complaints.schemas import (
    CaseDetail,
    CaseEvent,
    CaseSummary,
    MediationSessionPublic,
    Reminder,
)
from service.complaints.views import event_labels, event_notes
from service.employers.models import Employer
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.projects.models import Project
from service.stored import stored_id

NOTE_MAX_CHARS = 2000
CASES_PER_PAGE = 200
# The case's own columns a handler's detail view adds to the summary.
DETAIL_FIELDS = (
    "period_from", "period_to", "description", "worker_name", "phone", "disclose_identity",
    "language", "routing_rule", "routing_reason_zh", "routing_reason_en", "accepted_at",
    "outcome_amount_fen", "payment_due_on", "arbitration_deadline", "outcome_note", "closed_on",
)  # fmt: skip


def readable(actor: Actor) -> ColumnElement[bool]:
    """The complaints an actor may read (with the worker's identity)."""
    if actor.role == "admin":
        return true()
    if actor.role == "mediator" and actor.committee_id is not None:
        return col(Complaint.committee_id) == actor.committee_id
    if actor.role != "inspector":
        return false()
    # As Actor.covers: whole counties, or a town of a county.
    places: list[ColumnElement[bool]] = []
    if actor.counties:
        places.append(col(Complaint.county_code).in_(sorted(actor.counties)))
    places += [
        and_(col(Complaint.county_code) == county, func.coalesce(col(Complaint.town), "") == town)
        for county, town in sorted(actor.towns)
    ]
    return or_(false(), *places)


def _summary_query() -> "Select[Complaint, str, str, str]":
    return (
        select(
            Complaint,
            func.coalesce(Employer.name, Complaint.employer_text, "").label("employer_name"),
            col(Project.project_code),
            col(MediationCommittee.name).label("committee_name"),
        )
        .outerjoin(Employer, col(Employer.id) == col(Complaint.employer_id))
        .outerjoin(Project, col(Project.id) == col(Complaint.project_id))
        .outerjoin(MediationCommittee, col(MediationCommittee.id) == col(Complaint.committee_id))
    )


def _summary_fields(
    complaint: Complaint, employer: str, project: str | None, committee: str | None
) -> dict[str, Any]:
    return {
        "id": complaint.id,
        "reference": complaint.public_reference,
        "kind": complaint.kind,
        "status": complaint.status,
        "received_on": complaint.received_on,
        "county_code": complaint.county_code,
        "town": complaint.town,
        "employer_id": complaint.employer_id,
        "employer_name": employer,
        "project_code": project,
        "amount_owed_fen": complaint.amount_owed_fen,
        "workers_affected": complaint.workers_affected,
        "committee_id": complaint.committee_id,
        "committee_name": committee,
        "mediation_due_on": complaint.mediation_due_on,
        "outcome": complaint.outcome,
    }


def readable_cases(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    limit: int = CASES_PER_PAGE,
    offset: int = 0,
) -> list[CaseSummary]:
    """The actor's cases: open ones first, the nearest deadline first; then closed ones."""
    query = _summary_query().where(readable(actor))
    if status is not None:
        query = query.where(col(Complaint.status) == status)
    query = query.order_by(
        case((col(Complaint.status) == "closed", 1), else_=0),
        col(Complaint.mediation_due_on).is_(None),
        col(Complaint.mediation_due_on),
        col(Complaint.received_on).desc(),
        col(Complaint.id).desc(),
    )
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [CaseSummary(**_summary_fields(*row)) for row in rows]


def case_id(session: Session, actor: Actor, reference: str) -> int:
    """The id of the readable case named `reference` (handlers' URLs carry the random
    reference, never the sequential id); NotFound also when it exists outside the actor's
    scope, so references do not leak either."""
    found: int | None = session.scalar(
        select(col(Complaint.id)).where(
            col(Complaint.public_reference) == reference, readable(actor)
        )
    )
    if found is None:
        raise NotFound(texts("case.not_found"))
    return found


def get_case(session: Session, actor: Actor, complaint_id: int) -> CaseDetail:
    """One readable case with identity, sessions and timeline; NotFound also when it exists
    outside the actor's scope, so ids do not leak."""
    row = session.execute(
        _summary_query().where(col(Complaint.id) == complaint_id, readable(actor))
    ).first()
    if row is None:
        raise NotFound(texts("case.not_found"))
    return _detail(session, *row)


def _detail(
    session: Session,
    complaint: Complaint,
    employer: str,
    project: str | None,
    committee: str | None,
) -> CaseDetail:
    sessions = session.scalars(
        select(MediationSession)
        .where(col(MediationSession.complaint_id) == complaint.id)
        .order_by(col(MediationSession.held_on), col(MediationSession.id))
    ).all()
    events = session.scalars(
        select(ComplaintEvent)
        .where(col(ComplaintEvent.complaint_id) == complaint.id)
        .order_by(col(ComplaintEvent.at), col(ComplaintEvent.id))
    ).all()
    return CaseDetail(
        **_summary_fields(complaint, employer, project, committee),
        **complaint.model_dump(include=set(DETAIL_FIELDS)),
        sessions=[MediationSessionPublic.model_validate(s, from_attributes=True) for s in sessions],
        events=[
            CaseEvent(
                kind=e.kind,
                at=e.at,
                label_zh=zh,
                label_en=en,
                note=e.note,
                note_zh=note_zh,
                note_en=note_en,
            )
            for e in events
            for zh, en in [event_labels(e.kind)]
            for note_zh, note_en in [event_notes(e.kind, e.note)]
        ],
    )


# --- the mediator's work ------------------------------------------------------------------------


def _handled_case(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    """The open case, if the actor is a mediator of its committee. NotFound when the actor
    may not read it, Forbidden when it may read but not act, Conflict once it is closed."""
    complaint = session.scalar(
        select(Complaint).where(col(Complaint.id) == complaint_id, readable(actor))
    )
    if complaint is None:
        raise NotFound(texts("case.not_found"))
    if actor.role != "mediator" or actor.committee_id != complaint.committee_id:
        raise Forbidden(texts("case.not_handler"))
    if complaint.status == "closed":
        raise Conflict(texts("case.closed"))
    return complaint


def _record(
    session: Session,
    actor: Actor,
    complaint: Complaint,
    kind: str,
    at: datetime,
    *,
    before: dict[str, Any],
    after: dict[str, Any],
    note: str | None = None,
) -> None:
    """The timeline event and the audit entry of one change (never identity fields)."""
    session.add(
        ComplaintEvent(
            complaint_id=stored_id(complaint), kind=kind, at=at, actor_id=actor.user_id, note=note
        )
    )
    audit.record(
        session,
        actor,
        f"complaint.{kind}",
        "complaint",
        str(complaint.id),
        before=before,
        after=after,
    )
    session.flush()


def _now(now: datetime | None) -> datetime:
    return now or clock.utc_now()


def accept(
    session: Session, actor: Actor, complaint_id: int, *, now: datetime | None = None
) -> CaseDetail:
    """The committee takes the case on."""
    now = _now(now)
    complaint = _handled_case(session, actor, complaint_id)
    if complaint.status != "received":
        raise Conflict(texts("case.already_accepted"))
    complaint.status, complaint.accepted_at = "accepted", now
    complaint.accepted_by_id = actor.user_id
    _record(
        session,
        actor,
        complaint,
        "accepted",
        now,
        before={"status": "received"},
        after={"status": "accepted"},
    )
    data_version.bump(session.connection(), data_version.Changed.of([complaint.employer_id]))
    return get_case(session, actor, complaint_id)


def _checked_note(note: str, errors: dict[str, Texts], *, required: bool) -> str | None:
    text = (note or "").strip()
    if required and not text:
        errors["note"] = texts("note.required")
    elif len(text) > NOTE_MAX_CHARS:
        errors["note"] = texts("note.too_long", limit=NOTE_MAX_CHARS)
    return text or None


def record_session(
    session: Session,
    actor: Actor,
    complaint_id: int,
    held_on: date | str,
    note: str,
    *,
    now: datetime | None = None,
) -> CaseDetail:
    """A mediation meeting held on `held_on` (not before receipt, not in the future)."""
    now = _now(now)
    complaint = _handled_case(session, actor, complaint_id)
    if complaint.status != "accepted":
        raise Conflict(texts("case.not_accepted"))
    errors: dict[str, Texts] = {}
    day = parse_date(held_on)
    if day is None or not complaint.received_on <= day <= local_date(now):
        errors["held_on"] = texts("held_on.invalid")
    text = _checked_note(note, errors, required=True)
    if errors:
        raise Invalid(errors)
    # No errors: the day and the note were both read, and a mediator is a signed-in user.
    assert day is not None and text is not None and actor.user_id is not None
    meeting = MediationSession(
        complaint_id=complaint_id,
        held_on=day,
        note=text,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    session.add(meeting)
    _record(
        session,
        actor,
        complaint,
        "session",
        now,
        before={},
        after={"held_on": day.isoformat()},
        note=day.isoformat(),
    )
    return get_case(session, actor, complaint_id)


def _outcome_fields(
    complaint: Complaint,
    outcome: str,
    agreement_amount: object,
    payment_due_on: object,
    closed_on: date,
    reference: Reference,
    errors: dict[str, Texts],
) -> dict[str, Any]:
    """The columns an outcome sets: an agreement its amount and payment day, a failure the
    last day to apply for arbitration (see deadlines.arbitration_deadline)."""
    if outcome not in OUTCOMES:
        errors["outcome"] = texts("outcome.invalid")
        return {}
    fields: dict[str, Any] = {
        "outcome_amount_fen": None,
        "payment_due_on": None,
        "arbitration_deadline": None,
    }
    if outcome == "agreement":
        fields["outcome_amount_fen"] = parse_fen(agreement_amount)
        fields["payment_due_on"] = parse_date(payment_due_on)
        if fields["outcome_amount_fen"] is None:
            errors["agreement_amount"] = texts("agreement_amount.invalid")
        if fields["payment_due_on"] is None or fields["payment_due_on"] < closed_on:
            errors["payment_due_on"] = texts("payment_due_on.invalid")
    elif outcome == "failure":
        fields["arbitration_deadline"] = arbitration_deadline(
            complaint.received_on, reference=reference
        )
    return fields


def close(
    session: Session,
    actor: Actor,
    complaint_id: int,
    outcome: str,
    *,
    agreement_amount: str | int | None = None,
    payment_due_on: date | str | None = None,
    note: str = "",
    now: datetime | None = None,
    reference: Reference,
) -> CaseDetail:
    """Close with an outcome: agreement (amount in CNY and payment date required), failure
    (the worker is pointed to arbitration and its time limit) or withdrawal."""
    now = _now(now)
    complaint = _handled_case(session, actor, complaint_id)
    closed_on = local_date(now)
    errors: dict[str, Texts] = {}
    fields = _outcome_fields(
        complaint, outcome, agreement_amount, payment_due_on, closed_on, reference, errors
    )
    text = _checked_note(note, errors, required=False)
    if errors:
        raise Invalid(errors)
    before = {"status": complaint.status}
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.status, complaint.outcome, complaint.outcome_note = "closed", outcome, text
    complaint.closed_at, complaint.closed_on = now, closed_on
    after = {"status": "closed", "outcome": outcome} | {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in fields.items()
        if value is not None
    }
    _record(session, actor, complaint, "closed", now, before=before, after=after, note=outcome)
    data_version.bump(session.connection(), data_version.Changed.of([complaint.employer_id]))
    return get_case(session, actor, complaint_id)


# --- reminders ----------------------------------------------------------------------------------


def due_reminders(session: Session, today: date, *, reference: Reference) -> list[Reminder]:
    """Open cases whose mediation period ends within `mediation_reminder_days_before`
    calendar days (the parameter's unit), the last day included, and that were not reminded
    today. Each is marked with a "reminder" event whose note is the day, so a second call on
    the same day returns nothing; the caller sends the reminders in the same transaction."""
    days = int(reference.value("mediation_reminder_days_before", on=today))
    reminded_today = exists().where(
        col(ComplaintEvent.complaint_id) == col(Complaint.id),
        col(ComplaintEvent.kind) == "reminder",
        col(ComplaintEvent.note) == today.isoformat(),
    )
    due = session.scalars(
        select(Complaint)
        .where(
            col(Complaint.status) != "closed",
            col(Complaint.mediation_due_on) >= today,
            col(Complaint.mediation_due_on) <= today + timedelta(days=days),
            ~reminded_today,
        )
        .order_by(col(Complaint.mediation_due_on), col(Complaint.id))
    ).all()
    now = clock.utc_now()
    for complaint in due:
        session.add(
            ComplaintEvent(
                complaint_id=stored_id(complaint), kind="reminder", at=now, note=today.isoformat()
            )
        )
    session.flush()
    return [
        Reminder(
            complaint_id=stored_id(c),
            committee_id=c.committee_id,
            county_code=c.county_code,
            mediation_due_on=c.mediation_due_on,
            days_left=(c.mediation_due_on - today).days,
        )
        for c in due
        if c.mediation_due_on is not None  # always: the query asks for a due day from today
    ]
