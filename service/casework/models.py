"""Messages on a case, and inspection cases opened from complaints.

A message's author is a handler's account, or nobody for the worker: the worker is known to the
service only by the case's code and PIN, and the row keeps nothing more (no address, no device).
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from service.clock import utc_now

DIRECTIONS = ("from_worker", "to_worker")
TAKEOVER_GROUNDS = ("mediation_failed", "mediation_overdue")


class CaseMessage(SQLModel, table=True):
    """One plain-text message between the worker and the case's handlers."""

    __tablename__ = "case_message"
    __table_args__ = (CheckConstraint(f"direction IN {DIRECTIONS}", name="direction_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    direction: str = Field(max_length=12)
    # The handler who wrote a message to the worker; None for the worker's own.
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    author_role: str | None = Field(default=None, max_length=12)  # mediator, inspector
    body: str
    sent_at: datetime = Field(default_factory=utc_now)
    # When the worker's status page first showed a handler's message.
    seen_by_worker_at: datetime | None = None
    # A handler's message by SMS: "sent", or why not ("no_consent", "not_a_mobile", …).
    sms_status: str | None = Field(default=None, max_length=24)


class InspectionCase(SQLModel, table=True):
    """A complaint taken over by the labour inspectors as an inspection case (立案) after its
    mediation failed or ran past its period: who opened it, when and why."""

    __tablename__ = "inspection_case"
    __table_args__ = (CheckConstraint(f"grounds IN {TAKEOVER_GROUNDS}", name="grounds_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", unique=True)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=12)
    grounds: str = Field(max_length=20)
    reason: str
    opened_by_id: int = Field(foreign_key="app_user.id")
    opened_at: datetime = Field(default_factory=utc_now)
    opened_on: date = Field(index=True)  # Wenzhou's day: the supervision figures count by it
