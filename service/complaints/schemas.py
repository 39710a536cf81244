"""What the complaint pages and their API twins show: small view models, fully loaded.

Three audiences, three shapes: the worker (code + PIN) sees the case without anything about
other people; the handlers (the committee's mediators, the inspectors of the jurisdiction,
administrators) see the case with the worker's identity; the employer sees that a complaint
exists and how to respond, and who made it only when the worker agreed.
"""

from datetime import date, datetime

from pydantic import BaseModel, Field

from service.committees.contacts import contact_for
from service.committees.models import MediationCommittee


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
    # The note as the handlers' pages show it: words, never the machine's codes.
    note_zh: str | None = None
    note_en: str | None = None


class Deadline(BaseModel):
    kind: str  # mediation_period, payment, arbitration
    on: date
    label_zh: str
    label_en: str


class CommitteeContact(BaseModel):
    """How to reach the committee a case went to (data/mediation_contacts.csv via
    service/committees/contacts.py): a hotline when its direct line is not verified, and no
    address when none is known."""

    phone: str | None
    phone_is_direct: bool
    address_zh: str | None
    email: str | None

    @classmethod
    def of(cls, committee: MediationCommittee | None) -> "CommitteeContact | None":
        if committee is None:
            return None
        found = contact_for(committee)
        return cls(
            phone=found.phone,
            phone_is_direct=found.phone_is_direct,
            address_zh=found.address_zh,
            email=found.email,
        )


class LegalAid(BaseModel):
    """The legal-aid green channel (unpaid wages, work injuries)."""

    phone: str
    address_zh: str | None = None  # None: not known (data/legal_aid_centres.csv)
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
    committee_contact: CommitteeContact | None = None
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
    """A row of a handler's case list: no identity fields. `reference` names the case in
    URLs and on screen; the sequential `id` stays inside the service (not in JSON)."""

    id: int = Field(exclude=True)
    reference: str
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
    """A complaint about the employer, as the employer may read it (complaints.disclosure).

    Without the worker's consent: the reference, the week it arrived, its status and who
    handles it; the other fields stay empty. With consent (`identity_disclosed`), what the
    worker agreed to show."""

    reference: str  # random: neither the tracking code nor the sequential case number
    received_week: str  # ISO week, e.g. "2026-W47": never the day
    received_week_of: date  # the week's Monday
    status: str
    outcome: str | None
    committee_name: str | None  # who handles it: the employer answers there
    committee_contact: CommitteeContact | None = None  # the committee's, never the worker's
    identity_disclosed: bool
    kind: str | None = None
    received_on: date | None = None
    mediation_due_on: date | None = None
    project_code: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    amount_owed_fen: int | None = None
    workers_affected: int | None = None
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
