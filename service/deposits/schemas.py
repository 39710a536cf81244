"""What the deposit pages and their API twins show: proofs, positions, an employer's
obligations. Money is integer fen; identity numbers are masked."""

from datetime import date, datetime

from pydantic import BaseModel

from service.employers.service import InstitutionDuty
from service.risk.schemas import TierView


class DepositPosition(BaseModel):
    project_id: int | None
    project_code: str | None
    project_name: str | None
    obligation: str  # "project" or "leased_premises"
    in_force: bool
    active_workers: int
    required_fen: int | None
    balance_fen: int
    shortfall_fen: int
    due_date: date | None
    exempt: bool
    exemption_reason: str | None
    # ok, short, missing, not_yet_due, exempt, not_in_force, none_required
    state: str


class DepositEventRow(BaseModel):
    event_date: date
    event: str
    amount_fen: int
    reference: str
    expiry_date: date | None
    project_code: str | None


class ProofPublic(BaseModel):
    """A deposit proof as its employer and the reviewing inspectors see it."""

    id: int
    employer_id: int
    employer_uscc: str
    employer_name: str
    project_code: str | None
    kind: str
    amount_fen: int
    event_date: date
    reference: str
    expiry_date: date | None
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    status: str
    reason: str | None
    submitted_at: datetime
    reviewed_at: datetime | None
    deposit_event_id: int | None


class UncoveredWorker(BaseModel):
    worker: str  # masked identity number
    project_code: str | None
    start_date: date | None
    insure_by: date | None


class EmployerAlert(BaseModel):
    """An open alert as the employer sees it: the finding, never its sources. For alerts
    derived from complaints the id, period, amount and first-seen date are withheld (None):
    they could tell who complained (complaints.disclosure)."""

    id: int | None
    rule: str
    title: str
    severity: str
    project_code: str | None
    period: str | None
    amount_fen: int | None
    legal_basis: str
    first_seen: date | None


class Obligations(BaseModel):
    employer_uscc: str
    employer_name: str
    leased_premises: bool
    as_of: date
    positions: list[DepositPosition]  # the same positions inspectors see
    uncovered_workers: list[UncoveredWorker]
    alerts: list[EmployerAlert]
    proofs: list[ProofPublic]
    institution: InstitutionDuty
    risk: TierView | None = None  # the tier on the alerts released to the employer
