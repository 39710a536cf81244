from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from service.clock import utc_now

# legal_aid: a county legal-aid centre's staff, scoped to its county (service/legal_aid).
ROLES = ("admin", "inspector", "employer", "mediator", "supervisor", "legal_aid")
# Roles scoped by places (the city, counties, towns): a supervisor reads what an inspector of
# the same places reads on the overview, and acts on nothing; a legal-aid centre's staff
# serve its county.
PLACE_ROLES = ("inspector", "supervisor", "legal_aid")


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES}", name="role_valid"),
        CheckConstraint("role <> 'employer' OR employer_id IS NOT NULL", name="employer_scoped"),
        CheckConstraint("role <> 'mediator' OR committee_id IS NOT NULL", name="mediator_scoped"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    password_hash: str
    role: str = Field(max_length=12)
    display_name: str
    email: str | None = None
    locale: str = Field(default="zh-CN", max_length=8)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    committee_id: int | None = Field(default=None, foreign_key="mediation_committee.id")
    is_active: bool = True
    created_at: datetime = Field(default_factory=utc_now)


class UserScope(SQLModel, table=True):
    """An inspector's jurisdiction: counties or towns."""

    __tablename__ = "user_scope"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    jurisdiction_code: str = Field(foreign_key="jurisdiction.code", primary_key=True)


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API, stored as its SHA-256."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
