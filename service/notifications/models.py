"""E-mail through a transactional outbox, and who wants which alerts."""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from service.auth.models import utc_now

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxMessage(SQLModel, table=True):
    """A message, rendered, written in the same transaction as the event that causes it.

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
    subject: str
    body_text: str
    body_html: str
    created_at: datetime = Field(default_factory=utc_now)
    not_before: datetime = Field(default_factory=utc_now, index=True)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, index=True)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


class AlertSubscription(SQLModel, table=True):
    """An inspector's choice: alerts of a jurisdiction from a minimum severity up.
    Critical alerts go at once; the rest in a daily digest."""

    __tablename__ = "alert_subscription"
    __table_args__ = (
        CheckConstraint(
            "min_severity IN ('critical', 'high', 'medium', 'low')", name="severity_valid"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    jurisdiction_code: str = Field(foreign_key="jurisdiction.code")
    min_severity: str = Field(default="high", max_length=10)
