"""Alerts: one per key (rule, employer, project, period), with two separate states.

`status` is the monitors' view (open while the condition holds, resolved when it clears);
`handling` is the inspector's work on it (acknowledged, assigned, snoozed, closed with a
note). The monitors never write the handling columns.
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.alerts.severity import SEVERITIES
from service.clock import utc_now

ALERT_STATUSES = ("open", "resolved")
HANDLING_STATES = ("new", "acknowledged", "assigned", "snoozed", "closed")
EVENT_KINDS = ("opened", "updated", "resolved", "reopened")


class Alert(SQLModel, table=True):
    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("rule", "employer_id", "project_code", "period", name="uq_alert_key"),
        CheckConstraint(f"status IN {ALERT_STATUSES}", name="status_valid"),
        CheckConstraint(f"handling IN {HANDLING_STATES}", name="handling_valid"),
        CheckConstraint(f"severity IN {SEVERITIES}", name="severity_valid"),
        CheckConstraint("subject_count >= 0", name="subject_count_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=64, index=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    # '' when the alert is not about a project or a period: part of the key, never NULL.
    project_code: str = Field(default="", max_length=64)
    period: str = Field(default="", max_length=7)
    status: str = Field(default="open", max_length=10, index=True)
    severity: str = Field(max_length=10)
    subject_count: int
    amount_fen: int | None = Field(default=None, sa_type=BigInteger)
    evidence: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    legal_basis_zh: str
    legal_basis_en: str
    first_seen: date
    last_seen: date
    resolved_on: date | None = None
    handling: str = Field(default="new", max_length=14)
    assigned_to_id: int | None = Field(default=None, foreign_key="app_user.id")
    snoozed_until: date | None = None
    handling_note: str | None = None
    handled_at: datetime | None = None


class AlertEvent(SQLModel, table=True):
    """The alert's timeline: every change the monitors made, with its as-of day."""

    __tablename__ = "alert_event"
    __table_args__ = (CheckConstraint(f"kind IN {EVENT_KINDS}", name="kind_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    run_id: int = Field(foreign_key="monitor_run.id", index=True)
    kind: str = Field(max_length=10)
    as_of: date
    at: datetime = Field(default_factory=utc_now)
    severity: str = Field(max_length=10)
    subject_count: int
    amount_fen: int | None = Field(default=None, sa_type=BigInteger)


class MonitorRun(SQLModel, table=True):
    __tablename__ = "monitor_run"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    as_of: date
    trigger: str = Field(max_length=16)  # cli, schedule, api
    status: str = Field(default="running", max_length=10)
    started_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    findings: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    reopened: int = 0
    # What the findings are a function of: the data version, the reference data, the rules'
    # code and the as-of day. A run with the fingerprint of the latest run has nothing to do.
    fingerprint: str = Field(default="", max_length=64)
    reused_findings: bool = False
    # The fingerprint's parts but the data: reference data, rules' code, rules and as-of day.
    # A whole-city run with the basis of the latest one re-evaluates only the employers whose
    # data changed since that run's data version (data_change); a partial run (a check, a
    # shard) records its basis too, so that one on another day stops the next run short.
    basis: str = Field(default="", max_length=64)
    data_version: int | None = Field(default=None, sa_type=BigInteger)
    # How many employers a run evaluated (an incremental run, a check, a shard); None: all.
    employers_evaluated: int | None = None
    counties: str = Field(default="", sa_type=Text)  # a shard's, comma-separated


class DataVersion(SQLModel, table=True):
    """Bumped in the same transaction as every change to monitored data, so a monitors
    run can tell that nothing has changed since the last one."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger)


class DataStamp(SQLModel, table=True):
    """A random stamp per data version: two databases (a copy and its original) that reach the
    same version number by different changes have different stamps. Frames kept outside the
    database (monitoring/kept_frames.py) are used only for the stamp they were read at."""

    __tablename__ = "data_stamp"

    version: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    stamp: str = Field(max_length=32)


class DataChange(SQLModel, table=True):
    """What a data version changed: an employer's, a project's or a worker's rows, or one
    payroll row (employer, worker and period). A version with a row of no ids changed what
    cannot be told apart (a committee, a bulk load): the next run evaluates every employer.
    Rows older than the latest whole-city run are deleted by it."""

    __tablename__ = "data_change"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(sa_type=BigInteger, index=True)
    employer_id: int | None = Field(default=None, sa_type=BigInteger)
    project_id: int | None = Field(default=None, sa_type=BigInteger)
    worker_id: int | None = Field(default=None, sa_type=BigInteger)
    # Set, with the employer and worker: the payroll row of that month.
    period: str | None = Field(default=None, max_length=7)
