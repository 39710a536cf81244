"""What the deposit pages and their API twins show: proofs, positions, an employer's
obligations. Money is integer fen; identity numbers are masked."""

from datetime import date, datetime

from pydantic import BaseModel

from service.employers.service import DepositPosition


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
    """An open alert as the employer sees it: the finding, never its sources."""

    id: int
    rule: str
    title: str
    severity: str
    project_code: str | None
    period: str | None
    amount_fen: int | None
    legal_basis: str
    first_seen: date


class Obligations(BaseModel):
    employer_uscc: str
    employer_name: str
    leased_premises: bool
    as_of: date
    positions: list[DepositPosition]  # the employers domain's, as inspectors see them
    uncovered_workers: list[UncoveredWorker]
    alerts: list[EmployerAlert]
    proofs: list[ProofPublic]


class FileSummaryPublic(BaseModel):
    file: str
    rows_read: int
    inserted: int
    updated: int


class ImportProblemPublic(BaseModel):
    file: str
    row: int
    column: str
    value: str
    reason: str


class ImportResult(BaseModel):
    ok: bool
    summaries: list[FileSummaryPublic]
    problems: list[ImportProblemPublic]
    problem_count: int
