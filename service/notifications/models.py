"""E-mail through a transactional outbox, and who wants which alerts."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from service.alerts.severity import SEVERITIES
from service.clock import utc_now

# 'withdrawn': at send time the recipient was no longer entitled to it (moved, deactivated,
# another address, another committee); kept, with the reason, for the record.
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "withdrawn")


class OutboxMessage(SQLModel, table=True):
    """A message, written in the same transaction as the event that causes it.

    The sender delivers it with retries; `dedupe_key` keeps one event from queuing the same
    message twice, and the fixed `message_id` lets a receiver recognise a retry."""

    __tablename__ = "outbox_message"
    __table_args__ = (CheckConstraint(f"status IN {OUTBOX_STATUSES}", name="status_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    message_id: str = Field(max_length=200, unique=True)
    to_address: str
    language: str = Field(default="zh-CN", max_length=8)
    # None until worded: the alert e-mails of a monitors run are worded as they leave
    # (notifications.service.worded_alert_mail), not by the run that queues tens of thousands.
    subject: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    not_before: datetime = Field(default_factory=utc_now, index=True)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, index=True)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    # Who may receive it, checked again at send time (notifications.audience): the
    # recipient's account, and the place, committee or employer the message is about.
    recipient_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    about_place: str | None = Field(default=None, max_length=64)
    about_committee_id: int | None = Field(default=None, foreign_key="mediation_committee.id")
    about_employer_id: int | None = Field(default=None, foreign_key="employer.id")
    # The alerts an alert e-mail is about, ascending (None for the other kinds): read back,
    # never parsed from the text, when the digest grows, the e-mail is worded or trimmed.
    alert_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class AlertSubscription(SQLModel, table=True):
    """An inspector's choice: alerts of a jurisdiction from a minimum severity up.
    Critical alerts go at once; the rest in a daily digest."""

    __tablename__ = "alert_subscription"
    __table_args__ = (CheckConstraint(f"min_severity IN {SEVERITIES}", name="severity_valid"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    jurisdiction_code: str = Field(foreign_key="jurisdiction.code")
    min_severity: str = Field(default="high", max_length=10)
