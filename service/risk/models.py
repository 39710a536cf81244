"""An employer's risk tier history: one row each time its tier or its reasons change in a
monitors run; the latest row per employer is its current tier."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from service.clock import utc_now

TIERS = ("red", "orange", "yellow", "green")  # strongest first


class EmployerRiskTier(SQLModel, table=True):
    __tablename__ = "employer_risk_tier"
    __table_args__ = (
        CheckConstraint(f"tier IN {TIERS}", name="tier_valid"),
        Index("ix_employer_risk_tier_employer_latest", "employer_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id")
    run_id: int = Field(foreign_key="monitor_run.id", index=True)
    as_of: date  # the run's as-of day: the tier holds from then until the next row
    tier: str = Field(max_length=6, index=True)
    # [{"rule": risk-tier rule id, "figure": measured, "threshold": compared with}, ...]
    reasons: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utc_now)
