"""The e-mails a filed complaint causes — to its committee, to the employer and, for a group
or construction complaint, to the place's inspectors — queued by the outbox sender's round,
not by the worker's request.

Filing stores the complaint with `notices_pending` set, in the same INSERT, so the e-mails
still exist iff the complaint committed; what moves out of the request is the work (reading
recipients, rendering, one INSERT per message: about a third of a filing's CPU). Under a
flood of complaints the worker gets the tracking code sooner and the server files more per
second; the e-mails follow within a round (`mail_poll_seconds`), queued for many complaints
in one transaction.

A round takes the oldest pending complaints, queues their e-mails and clears the flag in
one transaction. Concurrent rounds (several sender processes on PostgreSQL) take disjoint
complaints (FOR UPDATE SKIP LOCKED); a round that dies queues nothing and clears nothing,
and the outbox's dedupe keys make a repeated round queue nothing twice.
"""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col

from monitors.reference import Reference, load_reference
from service.committees.models import MediationCommittee
from service.complaints.models import Complaint
from service.complaints.service import urgency
from service.config import Settings
from service.db import is_sqlite, session_scope
from service.employers.models import Employer
from service.jurisdictions.models import Jurisdiction, town_code
from service.notifications import service as notifications
from service.projects.models import Project
from service.stored import stored_id


def queue_filed_notices(
    engine: Engine,
    *,
    settings: Settings,
    reference: Reference | None = None,
    batch_size: int = 200,
) -> int:
    """Queue the e-mails of up to `batch_size` complaints filed since the last round;
    returns how many complaints were done. The reference data (`settings.data_dir` unless
    given) is loaded only when a complaint is pending: most rounds find none."""
    with session_scope(engine) as session:
        complaints = _pending(session, engine, batch_size)
        if not complaints:
            return 0
        reference = reference or load_reference(settings.data_dir)
        held = _rows_they_name(session, complaints)  # noqa: F841  held until the round ends
        for complaint in complaints:
            _queue_notices(session, complaint, reference=reference, settings=settings)
        session.execute(
            update(Complaint)
            .where(col(Complaint.id).in_([stored_id(c) for c in complaints]))
            .values(notices_pending=False)
            .execution_options(synchronize_session=False)
        )
    return len(complaints)


def _pending(session: Session, engine: Engine, batch_size: int) -> list[Complaint]:
    query = (
        select(Complaint)
        .where(col(Complaint.notices_pending))
        .order_by(col(Complaint.id))
        .limit(batch_size)
    )
    if not is_sqlite(engine):  # SQLite has one writer: a second round waits for the first
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _rows_they_name(session: Session, complaints: list[Complaint]) -> list[object]:
    """The employers, projects, committees and places the batch's e-mails name, read at once:
    each e-mail looks them up by key, and the session's identity map (which holds rows weakly,
    hence the list returned) answers instead of one SELECT per look-up."""
    wanted: list[tuple[type[SQLModel], Any, set[Any]]] = [
        (Employer, Employer.id, {c.employer_id for c in complaints}),
        (Project, Project.id, {c.project_id for c in complaints}),
        (MediationCommittee, MediationCommittee.id, {c.committee_id for c in complaints}),
        (
            Jurisdiction,
            Jurisdiction.code,
            {c.county_code for c in complaints}
            | {town_code(c.county_code, c.town) for c in complaints if c.town},
        ),
    ]
    rows: list[object] = []
    for model, key, values in wanted:
        if values - {None}:
            rows += session.scalars(select(model).where(col(key).in_(values - {None}))).all()
    return rows


def _queue_notices(
    session: Session, complaint: Complaint, *, reference: Reference, settings: Settings
) -> None:
    complaint_id = stored_id(complaint)
    if urgency(session, complaint, reference).reasons:
        notifications.notify_group_complaint(
            session, complaint_id, reference=reference, settings=settings
        )
    if complaint.committee_id is not None:
        notifications.notify_case_new(session, complaint_id, reference=reference, settings=settings)
    # Told that a complaint exists (who made it only if the worker agreed); none for a
    # complaint about an unregistered employer.
    notifications.notify_employer_complaint(
        session, complaint_id, reference=reference, settings=settings
    )
