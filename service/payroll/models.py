from datetime import date

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel


class PayrollEntry(SQLModel, table=True):
    """One worker's wage for one month worked; the key is the contract's."""

    __tablename__ = "payroll_entry"
    __table_args__ = (
        CheckConstraint("amount_due_fen >= 0", name="amount_due_nonnegative"),
        CheckConstraint("amount_paid_fen >= 0", name="amount_paid_nonnegative"),
        CheckConstraint("hours_worked IS NULL OR hours_worked >= 0", name="hours_nonnegative"),
        CheckConstraint("length(period) = 7", name="period_format"),
    )

    employer_id: int = Field(foreign_key="employer.id", primary_key=True)
    # No separate worker index: the key leads with the employer, which is how payroll is
    # read, and every extra index slows the bulk import.
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    period: str = Field(primary_key=True, max_length=7, index=True)
    amount_due_fen: int = Field(sa_type=BigInteger)
    amount_paid_fen: int = Field(sa_type=BigInteger)
    paid_date: date | None = None
    hours_worked: float | None = None
