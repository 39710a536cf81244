"""Work-injury insurance coverage: personal, or project-wide (按项目参保)."""

from datetime import date

from sqlalchemy import CheckConstraint, Index, func
from sqlmodel import Field, SQLModel


class InsuranceCoverage(SQLModel, table=True):
    __tablename__ = "insurance_coverage"

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    start_date: date
    end_date: date | None = None


InsuranceCoverage.__table__.append_constraint(
    CheckConstraint("worker_id IS NOT NULL OR project_id IS NOT NULL", name="covers_someone")
)
InsuranceCoverage.__table__.append_constraint(
    CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start")
)
Index(
    "uq_insurance_coverage_key",
    InsuranceCoverage.employer_id,
    func.coalesce(InsuranceCoverage.worker_id, 0),
    func.coalesce(InsuranceCoverage.project_id, 0),
    InsuranceCoverage.start_date,
    unique=True,
)
