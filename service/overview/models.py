"""The supervision overview's figures, computed once per monitors run for every place (the
city, each county, each town) so that a page view reads a handful of rows, never scans.

- place_summary: the headline figures of a place as of the run;
- place_month: the place's last twelve months (alerts opened and resolved, arrears by wage
  month, complaints received), recomputed with each run from the alert and complaint history;
- place_top_employer: the place's highest-risk employers, ranked (tier, money at stake, open
  alerts), enough to fill any scope's list of the 20 highest.

A place is keyed by its jurisdiction code: the city's and the counties' GB/T 2260 codes, and a
town's "county/town" code (service.jurisdictions.models.town_code).
"""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

LEVELS = ("city", "county", "town")


class PlaceSummary(SQLModel, table=True):
    __tablename__ = "place_summary"
    __table_args__ = (
        CheckConstraint(f"level IN {LEVELS}", name="level_valid"),
        Index("ix_place_summary_run_place", "run_id", "place_code", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="monitor_run.id")
    as_of: date
    level: str = Field(max_length=8)
    place_code: str = Field(max_length=64)
    county_code: str | None = Field(default=None, max_length=12)  # None for the city
    town: str | None = None
    employers: int = 0
    active_workers: int = 0
    active_migrant_workers: int = 0
    alerts_critical: int = 0
    alerts_high: int = 0
    alerts_medium: int = 0
    alerts_low: int = 0
    arrears_fen: int = Field(default=0, sa_type=BigInteger)
    deposit_shortfall_fen: int = Field(default=0, sa_type=BigInteger)
    double_wage_fen: int = Field(default=0, sa_type=BigInteger)
    deposit_required_fen: int = Field(default=0, sa_type=BigInteger)
    deposit_held_fen: int = Field(default=0, sa_type=BigInteger)
    high_risk_workers: int = 0
    high_risk_workers_insured: int = 0
    complaints_received: int = 0  # in the twelve months up to the as-of day
    complaints_mediated_in_time: int = 0  # of those: closed within the mediation period
    complaints_overdue: int = 0  # open past the mediation period on the as-of day
    legal_aid_referrals: int = 0
    tier_red: int = 0
    tier_orange: int = 0
    tier_yellow: int = 0
    tier_green: int = 0


class PlaceMonth(SQLModel, table=True):
    __tablename__ = "place_month"

    run_id: int = Field(foreign_key="monitor_run.id", primary_key=True)
    place_code: str = Field(max_length=64, primary_key=True)
    month: str = Field(max_length=7, primary_key=True)  # YYYY-MM
    alerts_opened: int = 0
    alerts_resolved: int = 0
    arrears_fen: int = Field(default=0, sa_type=BigInteger)  # open arrears for that wage month
    complaints_received: int = 0


class PlaceTopEmployer(SQLModel, table=True):
    __tablename__ = "place_top_employer"

    run_id: int = Field(foreign_key="monitor_run.id", primary_key=True)
    place_code: str = Field(max_length=64, primary_key=True)
    rank: int = Field(primary_key=True)  # 1 = highest risk in the place
    employer_id: int = Field(foreign_key="employer.id")
    tier: str = Field(max_length=6)
    at_stake_fen: int = Field(default=0, sa_type=BigInteger)
    open_alerts: int = 0
