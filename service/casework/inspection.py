"""Inspection cases (立案): an inspector takes over a complaint whose mediation failed or ran
past its period, so the labour inspectorate handles it from then on.

Only inspectors whose jurisdiction holds the complaint (mediation.service.readable) open one;
others get NotFound, an administrator Forbidden. A complaint is taken over once. The record
keeps who, when (and Wenzhou's day) and why; the case's timeline tells the worker; the audit
entry carries the employer, so the take-over shows in the employer's file for inspectors. The
employer's own pages read nothing of it (they read no complaint through `readable`).

`opened_per_county_month` is the count the supervision figures use.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from service import clock
from service.audit import service as audit
from service.auth.actors import Actor
from service.auth.models import User
from service.casework.models import InspectionCase
from service.complaints.messages import texts
from service.complaints.models import Complaint, ComplaintEvent
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.mediation.service import readable
from service.stored import stored_id

REASON_MAX_CHARS = 2000
EVENT_KIND = "inspection_opened"


@dataclass(frozen=True)
class InspectionView:
    """An inspection case as the inspectors' pages show it."""

    id: int
    complaint_id: int
    reference: str  # the complaint's random reference, for links
    grounds: str
    reason: str
    opened_on: date
    opened_at: datetime
    opened_by: str


class CaseState(Protocol):
    """What the take-over rule reads of a case (a Complaint, or a handler's CaseDetail)."""

    @property
    def status(self) -> str: ...

    @property
    def outcome(self) -> str | None: ...

    @property
    def mediation_due_on(self) -> date | None: ...


@dataclass(frozen=True)
class MonthlyCount:
    county_code: str
    month: str  # YYYY-MM, Wenzhou's calendar
    opened: int


def grounds_for(complaint: CaseState, today: date) -> str | None:
    """Why the complaint may be taken over: a failed mediation, or one still open after its
    mediation period (Law on Labour Dispute Mediation and Arbitration Art. 14 ¶3); None
    otherwise (received and in time, agreed or withdrawn)."""
    if complaint.status == "closed":
        return "mediation_failed" if complaint.outcome == "failure" else None
    due = complaint.mediation_due_on
    return "mediation_overdue" if due is not None and due < today else None


def get_for_complaint(session: Session, complaint_id: int) -> InspectionCase | None:
    return session.scalar(
        select(InspectionCase).where(col(InspectionCase.complaint_id) == complaint_id)
    )


def open_case(
    session: Session,
    actor: Actor,
    complaint_id: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> InspectionCase:
    """Take the complaint over; NotFound outside the actor's scope, Forbidden for others
    than inspectors, Conflict when taken over already or not failed nor overdue, Invalid
    without a reason."""
    now = now or clock.utc_now()
    today = clock.local_date(now)
    complaint = session.scalar(
        select(Complaint).where(col(Complaint.id) == complaint_id, readable(actor))
    )
    if complaint is None:
        raise NotFound(texts("case.not_found"))
    if actor.role != "inspector" or actor.user_id is None:
        raise Forbidden(_texts("inspection.not_inspector"))
    if get_for_complaint(session, complaint_id) is not None:
        raise Conflict(_texts("inspection.already"))
    grounds = grounds_for(complaint, today)
    if grounds is None:
        raise Conflict(_texts("inspection.not_eligible"))
    text = " ".join((reason or "").split()) if reason else ""
    if not text:
        raise Invalid({"reason": _texts("inspection.reason_required")})
    if len(text) > REASON_MAX_CHARS:
        raise Invalid({"reason": _texts("inspection.reason_too_long", limit=REASON_MAX_CHARS)})
    record = InspectionCase(
        complaint_id=complaint_id,
        employer_id=complaint.employer_id,
        county_code=complaint.county_code,
        grounds=grounds,
        reason=text,
        opened_by_id=actor.user_id,
        opened_at=now,
        opened_on=today,
    )
    session.add(record)
    session.add(
        ComplaintEvent(
            complaint_id=complaint_id, kind=EVENT_KIND, at=now, actor_id=actor.user_id,
            note=grounds,
        )
    )  # fmt: skip
    session.flush()
    audit.record(
        session, actor, "inspection_case.opened", "complaint", str(complaint_id),
        employer_id=complaint.employer_id,
        after={"inspection_case_id": record.id, "grounds": grounds, "reason": text},
    )  # fmt: skip
    session.flush()
    return record


def for_employer(session: Session, actor: Actor, employer_id: int) -> list[InspectionView]:
    """The inspection cases about an employer that the actor may read (inspectors of their
    jurisdiction, administrators), newest first; nothing for anyone else."""
    if actor.role not in ("inspector", "admin"):
        return []
    rows = session.execute(
        select(InspectionCase, col(User.display_name), col(Complaint.public_reference))
        .join(Complaint, col(Complaint.id) == col(InspectionCase.complaint_id))
        .join(User, col(User.id) == col(InspectionCase.opened_by_id))
        .where(col(InspectionCase.employer_id) == employer_id, readable(actor))
        .order_by(col(InspectionCase.opened_at).desc(), col(InspectionCase.id).desc())
    ).all()
    return [_view(row, name, reference) for row, name, reference in rows]


def for_handler(session: Session, actor: Actor, complaint_id: int) -> InspectionView | None:
    """The complaint's inspection case, for a reader of the complaint."""
    row = session.execute(
        select(InspectionCase, col(User.display_name), col(Complaint.public_reference))
        .join(Complaint, col(Complaint.id) == col(InspectionCase.complaint_id))
        .join(User, col(User.id) == col(InspectionCase.opened_by_id))
        .where(col(InspectionCase.complaint_id) == complaint_id, readable(actor))
    ).first()
    return _view(*row) if row else None


def opened_on_for_worker(session: Session, complaint_id: int) -> date | None:
    """The day the worker's case was taken over, if it was (the worker sees no more)."""
    return session.scalar(
        select(col(InspectionCase.opened_on)).where(
            col(InspectionCase.complaint_id) == complaint_id
        )
    )


def opened_per_county_month(
    session: Session, *, since: date | None = None, until: date | None = None
) -> list[MonthlyCount]:
    """Inspection cases opened per county and month (Wenzhou's days), for the supervision
    figures; `since` and `until` bound the days, both included."""
    rows = session.execute(
        select(col(InspectionCase.county_code), col(InspectionCase.opened_on)).where(
            col(InspectionCase.opened_on) >= (since or date.min),
            col(InspectionCase.opened_on) <= (until or date.max),
        )
    ).all()
    counts: dict[tuple[str, str], int] = {}
    for county, day in rows:
        key = (county, f"{day:%Y-%m}")
        counts[key] = counts.get(key, 0) + 1
    return [MonthlyCount(county, month, n) for (county, month), n in sorted(counts.items())]


def _view(row: InspectionCase, opened_by: str, reference: str) -> InspectionView:
    return InspectionView(
        id=stored_id(row),
        complaint_id=row.complaint_id,
        reference=reference,
        grounds=row.grounds,
        reason=row.reason,
        opened_on=row.opened_on,
        opened_at=row.opened_at,
        opened_by=opened_by,
    )


MESSAGES: dict[str, tuple[str, str]] = {
    "inspection.not_inspector": (
        "只有劳动保障监察员可以立案。",
        "Only labour inspectors may open an inspection case.",
    ),
    "inspection.already": (
        "此案已立案。",
        "An inspection case is already open for this complaint.",
    ),
    "inspection.not_eligible": (
        "只有调解不成或超过调解期限仍未结案的投诉可以立案。",
        "Only a complaint whose mediation failed or ran past its period can be taken over.",
    ),
    "inspection.reason_required": ("请填写立案理由。", "Give the reason for taking the case over."),
    "inspection.reason_too_long": (
        "立案理由最多 {limit} 个字。",
        "The reason may have at most {limit} characters.",
    ),
}


def _texts(key: str, **values: object) -> dict[str, str]:
    zh, en = MESSAGES[key]
    return {"zh-CN": zh.format(**values), "en": en.format(**values)}
