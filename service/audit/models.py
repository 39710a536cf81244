from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from service.clock import utc_now


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, with the record before and after."""

    __tablename__ = "audit_log"
    # The county assessment's cache key counts the alert-handling entries on every view
    # (service/reports/service.py): an index-only scan of those, not of the whole log.
    __table_args__ = (Index("ix_audit_log_entity_action", "entity", "action"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    actor_label: str
    action: str = Field(max_length=64)
    entity: str = Field(max_length=64)
    entity_key: str = Field(index=True)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
