"""The wage-guarantee deposit ledger (工资保证金), per project or per employer."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, func
from sqlmodel import Field, SQLModel

from service.clock import utc_now

DEPOSIT_EVENTS = ("deposit", "guarantee", "drawdown", "replenish", "return")


class DepositEvent(SQLModel, table=True):
    __tablename__ = "deposit_event"

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    event: str = Field(max_length=10)
    event_date: date
    amount_fen: int = Field(sa_type=BigInteger)
    reference: str
    expiry_date: date | None = None


DepositEvent.__table__.append_constraint(
    CheckConstraint(f"event IN {DEPOSIT_EVENTS}", name="event_valid")
)
DepositEvent.__table__.append_constraint(CheckConstraint("amount_fen > 0", name="amount_positive"))
# An employer-level deposit has no project: coalesce so the key stays unique.
Index(
    "uq_deposit_event_key",
    DepositEvent.employer_id,
    func.coalesce(DepositEvent.project_id, 0),
    DepositEvent.event,
    DepositEvent.event_date,
    DepositEvent.reference,
    unique=True,
)


PROOF_KINDS = ("receipt", "guarantee")
PROOF_STATUSES = ("pending", "approved", "rejected")


class DepositProof(SQLModel, table=True):
    """A bank receipt or guarantee letter an employer filed; it counts in the monitors only
    once an inspector approves it (the approval writes its deposit event)."""

    __tablename__ = "deposit_proof"

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    kind: str = Field(max_length=10)
    amount_fen: int = Field(sa_type=BigInteger)
    event_date: date
    reference: str = Field(max_length=100)
    expiry_date: date | None = None
    # The file lives outside the web root under a generated name; the original name is
    # kept only as a label.
    original_name: str = Field(max_length=200)
    stored_name: str = Field(max_length=80, unique=True)
    content_type: str = Field(max_length=40)
    size_bytes: int
    sha256: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=10, index=True)
    reason: str | None = None
    submitted_by_id: int = Field(foreign_key="app_user.id")
    submitted_at: datetime = Field(default_factory=utc_now)
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = None
    deposit_event_id: int | None = Field(default=None, foreign_key="deposit_event.id")


DepositProof.__table__.append_constraint(
    CheckConstraint(f"kind IN {PROOF_KINDS}", name="kind_valid")
)
DepositProof.__table__.append_constraint(
    CheckConstraint(f"status IN {PROOF_STATUSES}", name="status_valid")
)
DepositProof.__table__.append_constraint(CheckConstraint("amount_fen > 0", name="amount_positive"))
