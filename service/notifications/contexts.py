"""What each e-mail kind is rendered from: one frozen dataclass per kind.

Texts from the database that exist in two languages (rule titles, place names, legal bases)
arrive already chosen for the recipient's language; everything else is plain data and the
templates word it.

Who complained is never part of a context unless it may be told: the employer's notice has
no identity fields at all, and only its `...WithIdentity` variant (built when the worker
chose `disclose_identity`) carries them. Mediators and inspectors read identities in the
portal, signed in; e-mail, a less guarded channel, does not carry them.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AlertItem:
    id: int
    rule: str
    title: str
    severity: str
    employer_name: str
    employer_uscc: str
    place: str
    project_code: str
    period: str
    subject_count: int
    amount_fen: int | None
    url: str


@dataclass(frozen=True)
class CaseFacts:
    """What a complaint is about, without who made it."""

    # How the recipient refers to the case: the tracking code for its handlers, a neutral
    # number for the employer (the code is the worker's key to the status page).
    reference: str
    kind: str
    employer_name: str
    place: str
    project_name: str | None
    period_from: str | None
    period_to: str | None
    amount_owed_fen: int
    workers_affected: int
    received_on: date
    mediation_due_on: date | None
    committee_name: str | None


@dataclass(frozen=True)
class AlertCritical:
    recipient_name: str
    alert: AlertItem
    action: str
    legal_basis: str


@dataclass(frozen=True)
class AlertDigest:
    recipient_name: str
    digest_on: date
    alerts: tuple[AlertItem, ...]
    inbox_url: str


@dataclass(frozen=True)
class CaseNew:
    recipient_name: str
    committee_name: str
    case: CaseFacts
    routing_reason: str | None
    is_group: bool
    url: str


@dataclass(frozen=True)
class CaseReminder:
    recipient_name: str
    committee_name: str
    case: CaseFacts
    days_left: int
    url: str


@dataclass(frozen=True)
class ProofDecision:
    recipient_name: str
    employer_name: str
    approved: bool
    reason: str | None
    proof_kind: str
    amount_fen: int
    event_date: date
    reference: str
    project_name: str | None
    url: str


@dataclass(frozen=True)
class EmployerAlertLine:
    alert: AlertItem
    action: str
    legal_basis: str


@dataclass(frozen=True)
class EmployerAlertNotice:
    """The new alerts about one employer from one monitors run: one message, not one per
    alert."""

    employer_name: str
    alerts: tuple[EmployerAlertLine, ...]
    portal_url: str


@dataclass(frozen=True)
class EmployerComplaintNotice:
    employer_name: str
    case: CaseFacts
    committee_contact: str | None
    legal_basis: str
    portal_url: str


@dataclass(frozen=True)
class EmployerComplaintNoticeWithIdentity(EmployerComplaintNotice):
    """Only when the worker agreed that the employer may learn who complained."""

    worker_name: str | None
    phone: str | None


@dataclass(frozen=True)
class GroupComplaintAlert:
    recipient_name: str
    case: CaseFacts
    is_group: bool
    is_construction: bool
    url: str
