"""The wage-guarantee deposit ledger (工资保证金), per project or per employer."""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Index, func
from sqlmodel import Field, SQLModel

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
