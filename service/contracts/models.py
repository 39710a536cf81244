"""Employment relations (劳动关系) and their written contracts."""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

TERM_TYPES = ("fixed", "open_ended", "task")
EMPLOYMENT_TYPES = ("full_time", "part_time")


class Contract(SQLModel, table=True):
    __tablename__ = "employment_contract"
    __table_args__ = (
        UniqueConstraint("employer_id", "worker_id", "start_date", name="uq_contract_key"),
        CheckConstraint(f"term_type IN {TERM_TYPES}", name="term_type_valid"),
        CheckConstraint(f"employment_type IN {EMPLOYMENT_TYPES}", name="employment_type_valid"),
        CheckConstraint("pay_day BETWEEN 1 AND 31", name="pay_day_valid"),
        CheckConstraint("monthly_wage_fen >= 0", name="monthly_wage_nonnegative"),
        CheckConstraint(
            "hourly_wage_fen IS NULL OR hourly_wage_fen >= 0", name="hourly_wage_nonnegative"
        ),
        CheckConstraint(
            "probation_wage_fen IS NULL OR probation_wage_fen >= 0",
            name="probation_wage_nonnegative",
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint("left_date IS NULL OR left_date >= start_date", name="left_after_start"),
        CheckConstraint(
            "probation_end IS NULL OR probation_end >= start_date", name="probation_after_start"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    start_date: date
    signed_date: date | None = None
    term_type: str = Field(max_length=12)
    end_date: date | None = None
    employment_type: str = Field(default="full_time", max_length=12)
    probation_end: date | None = None
    monthly_wage_fen: int = Field(sa_type=BigInteger)
    hourly_wage_fen: int | None = Field(default=None, sa_type=BigInteger)
    probation_wage_fen: int | None = Field(default=None, sa_type=BigInteger)
    pay_day: int
    left_date: date | None = None
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
