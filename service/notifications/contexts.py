"""What each e-mail kind is rendered from: one frozen dataclass per kind.

Texts from the database that exist in two languages (rule titles, place names, legal bases)
arrive already chosen for the recipient's language; everything else is plain data and the
templates word it.

Who complained is never part of a context unless it may be told: the employer's notice
carries only what the complainant shield allows (complaints.disclosure: the reference, the
week, who handles it), and only its `...WithIdentity` variant (built when the worker chose
`disclose_identity`) carries the case's facts and the worker's name and phone. Mediators and
inspectors read identities in the portal, signed in; e-mail, a less guarded channel, does
not carry them. No context carries a tracking code or a PIN: they are the worker's alone.
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
    subject_count: int | None  # None: withheld from an employer (complaint-derived alert)
    amount_fen: int | None
    url: str
    project_name: str = ""  # shown before the project's code; '' when unknown


@dataclass(frozen=True)
class CaseFacts:
    """What a complaint is about, without who made it."""

    # The case's random public reference: never the tracking code (the worker's key to the
    # status page) nor the sequential id.
    reference: str
    kind: str
    employer_name: str
    # False: employer_name is what the worker typed, not a name from the register; it is
    # shown in the body as such and never put in a subject (a phishing lure otherwise).
    employer_registered: bool
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
class AlertLine:
    """An alert with what to do about it and its legal basis, in the reader's language."""

    alert: AlertItem
    action: str
    legal_basis: str


@dataclass(frozen=True)
class AlertCritical:
    """The critical alerts a monitors run opened about one employer, to one inspector: one
    message per employer, not one per alert (a run can open several at one employer)."""

    recipient_name: str
    employer_name: str
    alerts: tuple[AlertLine, ...]  # the employer's, in the order of their ids, at most 20
    unlisted: int = 0  # the run's other critical alerts at the employer, counted only
    inbox_url: str = ""  # the inbox showing the employer's critical alerts


@dataclass(frozen=True)
class AlertDigest:
    recipient_name: str
    digest_on: date
    alerts: tuple[AlertItem, ...]  # the most severe first, at most DIGEST_LISTED of them
    inbox_url: str
    unlisted: int = 0  # the digest's other alerts, counted only


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
class EmployerAlertNotice:
    """The new alerts about one employer from one monitors run: one message, not one per
    alert."""

    employer_name: str
    alerts: tuple[AlertLine, ...]
    portal_url: str


@dataclass(frozen=True)
class EmployerComplaintNotice:
    """That a complaint exists, who handles it and what to do; the week it arrived, never
    the day; nothing about what it says (complaints.disclosure)."""

    employer_name: str
    reference: str
    received_week: str  # in the recipient's language: "2026年第47周", "week of 2026-11-16"
    committee_name: str | None
    committee_contact: str | None  # the committee's e-mail
    # Its phone (a hotline where the direct line is not verified) and address, from
    # data/mediation_contacts.csv (service/committees/contacts.py); None when not known.
    committee_phone: str | None
    committee_address: str | None
    legal_basis: str
    portal_url: str


@dataclass(frozen=True)
class EmployerComplaintNoticeWithIdentity(EmployerComplaintNotice):
    """Only when the worker agreed that the employer may learn who complained: then also
    what the complaint is about."""

    case: CaseFacts
    worker_name: str | None
    phone: str | None


@dataclass(frozen=True)
class GroupComplaintAlert:
    recipient_name: str
    case: CaseFacts
    is_group: bool
    is_construction: bool
    url: str


@dataclass(frozen=True)
class AssessmentLine:
    """One county's line of the assessment: rank, name, score (out of 100, one decimal), and
    its coordinator shortfall (0 when staffed)."""

    rank: int | None
    county: str
    score: str
    coordinator_shortfall: int


@dataclass(frozen=True)
class AssessmentReport:
    """The county assessment circulated by a city inspector, or the monthly digest."""

    period: str
    cut_off: date
    lines: list[AssessmentLine]
    sent_by: str  # the inspector's name, or the service for the monthly digest
    is_digest: bool
    url: str


@dataclass(frozen=True)
class LegalAidApplicationNew:
    """A legal-aid application for the county's centre (or, where the centre has no account,
    the county's inspectors): what it is about and where to read it. Like every e-mail, no
    name, phone, identity number, account or tracking code: those are read signed in."""

    recipient_name: str
    centre_name: str
    application_id: int
    matter: str  # in the recipient's language
    place: str
    received_on: date
    hardship_check_exempt: bool
    legal_basis: str  # the matter's row of data/legal_aid_matters.csv
    from_case: bool  # made from a tracked complaint (mediation may have failed)
    centre_has_account: bool  # False: an inspector records the centre's decision
    url: str


@dataclass(frozen=True)
class CaseMessageNotice:
    """A worker wrote on a case: the handlers are told that, never what (they read the text
    in the portal, signed in) nor anything of who wrote it."""

    recipient_name: str
    case: CaseFacts
    url: str
