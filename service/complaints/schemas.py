"""What the complaint pages and their API twins show: small view models, fully loaded.

Three audiences, three shapes: the worker (code + PIN) sees the case without anything about
other people; the handlers (the committee's mediators, the inspectors of the jurisdiction,
administrators) see the case with the worker's identity; the employer sees that a complaint
exists and how to respond, and who made it only when the worker agreed.
"""

from datetime import date, datetime

from pydantic import BaseModel


class EmployerHit(BaseModel):
    """An employer found by name or credit code: enough to pick it, nothing more."""

    id: int
    name: str
    county_code: str
    town: str | None


class ProjectHit(BaseModel):
    id: int
    project_code: str
    name: str


class CaseEvent(BaseModel):
    kind: str  # received, routed, unrouted, inspectors_alerted, accepted, session, closed
    at: datetime
    label_zh: str
    label_en: str
    note: str | None = None  # handlers only; the worker's view leaves it out


class Deadline(BaseModel):
    kind: str  # mediation_period, payment, arbitration
    on: date
    label_zh: str
    label_en: str


class LegalAid(BaseModel):
    """The legal-aid green channel (unpaid wages, work injuries)."""

    phone: str
    centre_zh: str
    centre_en: str
    text_zh: str
    text_en: str
    legal_basis_zh: str
    legal_basis_en: str


class WorkerStatus(BaseModel):
    """The case as the worker who filed it sees it, with tracking code and PIN."""

    tracking_code: str
    kind: str
    status: str
    status_zh: str
    status_en: str
    received_on: date
    committee_name: str | None
    committee_kind: str | None
    handled_by: str | None  # the mediator who accepted the case
    routing_reason_zh: str | None
    routing_reason_en: str | None
    next_deadline: Deadline | None
    outcome: str | None
    outcome_amount_fen: int | None
    payment_due_on: date | None
    arbitration_deadline: date | None
    arbitration_zh: str | None  # how the arbitration deadline was computed
    arbitration_en: str | None
    outcome_note: str | None
    events: list[CaseEvent]
    legal_aid: LegalAid | None


class CaseSummary(BaseModel):
    """A row of a handler's case list: no identity fields."""

    id: int
    kind: str
    status: str
    received_on: date
    county_code: str
    town: str | None
    employer_id: int | None
    employer_name: str
    project_code: str | None
    amount_owed_fen: int
    workers_affected: int
    committee_id: int | None
    committee_name: str | None
    mediation_due_on: date | None
    outcome: str | None


class MediationSessionPublic(BaseModel):
    id: int
    held_on: date
    note: str
    recorded_at: datetime


class CaseDetail(CaseSummary):
    """One case for its handlers, with the worker's identity and the whole timeline."""

    period_from: str | None
    period_to: str | None
    description: str
    worker_name: str | None
    phone: str | None
    disclose_identity: bool
    language: str
    routing_rule: str | None
    routing_reason_zh: str | None
    routing_reason_en: str | None
    accepted_at: datetime | None
    outcome_amount_fen: int | None
    payment_due_on: date | None
    arbitration_deadline: date | None
    outcome_note: str | None
    closed_on: date | None
    sessions: list[MediationSessionPublic]
    events: list[CaseEvent]


class EmployerNotice(BaseModel):
    """A complaint about the employer, as the employer sees it. The description, name and
    phone are there only when the worker agreed (`disclose_identity`): a description often
    tells who wrote it."""

    id: int
    kind: str
    status: str
    received_on: date
    project_code: str | None
    period_from: str | None
    period_to: str | None
    amount_owed_fen: int
    workers_affected: int
    committee_name: str | None  # who handles it: the employer answers there
    mediation_due_on: date | None
    outcome: str | None
    identity_disclosed: bool
    worker_name: str | None = None
    phone: str | None = None
    description: str | None = None


class Reminder(BaseModel):
    """An open case whose mediation period ends soon, reminded today."""

    complaint_id: int
    committee_id: int | None
    county_code: str
    mediation_due_on: date
    days_left: int
