"""The county assessment's computed figures, kept per period, cut-off day and the versions of
what they were computed from (service/reports/service.py), so a repeated view reads one row."""

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from service.clock import utc_now


class AssessmentFigures(SQLModel, table=True):
    __tablename__ = "assessment_figures"

    id: int | None = Field(default=None, primary_key=True)
    period_key: str = Field(max_length=8, index=True)  # 2026, 2026-Q4
    cut_off: date
    # sha256 of the period, cut-off day and every input version (`inputs`): the cache key.
    inputs_key: str = Field(max_length=64, unique=True, index=True)
    inputs: dict = Field(sa_column=Column(JSON, nullable=False))
    # measure → county code → [value, numerator, denominator, {extra}]
    figures: dict = Field(sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utc_now)
