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
    # No other index: the key leads with the employer, which is how payroll is read (an
    # employer's months; the monitors read the table whole), and every index slows the bulk
    # import: one on the period alone cost a tenth of a large import and served no query.
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    period: str = Field(primary_key=True, max_length=7)
    amount_due_fen: int = Field(sa_type=BigInteger)
    amount_paid_fen: int = Field(sa_type=BigInteger)
    paid_date: date | None = None
    hours_worked: float | None = None
