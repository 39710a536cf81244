"""Workers' complaints and the mediation cases they become.

A complaint is stored before its tracking code is shown. Identity fields (name, phone) are
read only by those allowed: the handling committee and inspectors of the jurisdiction; the
employer only when the worker agreed (`disclose_identity`).
"""

import secrets
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from service.clock import utc_now

COMPLAINT_KINDS = ("unpaid_wages", "work_injury", "no_contract", "other")
COMPLAINT_STATUSES = ("received", "accepted", "closed")
OUTCOMES = ("agreement", "failure", "withdrawal")
# Public references: "R" and 8 characters without look-alikes, 31^8 ≈ 8.5·10^11 of them;
# the unique constraint backs up the (negligible) chance of a repeat.
REFERENCE_PREFIX = "R"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_public_reference() -> str:
    return REFERENCE_PREFIX + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)
    )


class Complaint(SQLModel, table=True):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(f"kind IN {COMPLAINT_KINDS}", name="kind_valid"),
        CheckConstraint(f"status IN {COMPLAINT_STATUSES}", name="status_valid"),
        CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES}", name="outcome_valid"),
        CheckConstraint("amount_owed_fen >= 0", name="amount_nonnegative"),
        CheckConstraint("workers_affected >= 1", name="workers_positive"),
        # The outbox sender's round finds the few complaints whose e-mails are still to queue.
        Index(
            "ix_complaint_notices_pending",
            "id",
            sqlite_where=text("notices_pending"),
            postgresql_where=text("notices_pending"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_code: str = Field(max_length=16, unique=True)
    # The case's name outside the service (employer notices, e-mails): random, so it tells
    # neither the tracking code nor how many complaints the city receives (the id would).
    public_reference: str = Field(default_factory=new_public_reference, max_length=16, unique=True)
    pin_hash: str
    kind: str = Field(default="unpaid_wages", max_length=16)
    # The employer as found by name or USCC; free text when it is not in the register.
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    employer_text: str | None = None
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=12)
    town: str | None = None
    project_id: int | None = Field(default=None, foreign_key="project.id")
    period_from: str | None = Field(default=None, max_length=7)
    period_to: str | None = Field(default=None, max_length=7)
    amount_owed_fen: int = Field(default=0, sa_type=BigInteger)
    workers_affected: int = 1
    description: str
    # Identity fields: never shown to an employer unless disclose_identity.
    worker_name: str | None = None
    phone: str | None = None
    disclose_identity: bool = False
    # The worker agreed to be told of handlers' messages by SMS at `phone` (service/sms).
    sms_consent: bool = False
    # The worker agreed to the employer's own mediation committee (routing may use it).
    agrees_to_enterprise_mediation: bool = False
    language: str = Field(default="zh-CN", max_length=8)
    received_at: datetime = Field(default_factory=utc_now)
    received_on: date
    status: str = Field(default="received", max_length=10, index=True)
    committee_id: int | None = Field(default=None, foreign_key="mediation_committee.id", index=True)
    routing_rule: str | None = Field(default=None, max_length=40)
    routing_reason_zh: str | None = None
    routing_reason_en: str | None = None
    mediation_due_on: date | None = None
    accepted_at: datetime | None = None
    accepted_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    outcome: str | None = Field(default=None, max_length=12)
    outcome_amount_fen: int | None = Field(default=None, sa_type=BigInteger)
    payment_due_on: date | None = None
    arbitration_deadline: date | None = None
    outcome_note: str | None = None
    closed_at: datetime | None = None
    closed_on: date | None = None
    # Tracking-code lock-out after repeated wrong PINs.
    pin_failures: int = 0
    locked_until: datetime | None = None
    # Idempotent intake (service/complaints/intake.py): digests of the form's submission token
    # or the API's Idempotency-Key, and of what was sent with it; a retry finds this case.
    submission_key: str | None = Field(default=None, max_length=64, unique=True, index=True)
    submission_fingerprint: str | None = Field(default=None, max_length=64)
    # Filed, its e-mails not yet queued: the outbox sender's next round queues them
    # (service/notifications/filed.py), so the worker's request does not wait for them.
    notices_pending: bool = False


class MediationSession(SQLModel, table=True):
    """One mediation meeting recorded by the committee."""

    __tablename__ = "mediation_session"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    held_on: date
    note: str
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utc_now)


class ComplaintEvent(SQLModel, table=True):
    """The case's timeline as the worker and the handlers see it."""

    __tablename__ = "complaint_event"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=24)  # received, routed, accepted, session, closed, reminder
    at: datetime = Field(default_factory=utc_now)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str | None = None
