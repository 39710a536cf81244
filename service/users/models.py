"""What the administrator sends and sees about a user; the tables are in service.auth.models.

The input schemas only type the fields: every rule (required, length, known county,
employer for an employer user …) is checked in service.users.service, so a form and the
API get the same field messages.
"""

from datetime import datetime

from pydantic import BaseModel

from service.bounds import CodeList, CodeText, NameText, SecretText


class UserCreate(BaseModel):
    username: NameText
    display_name: NameText
    role: CodeText
    password: SecretText
    email: NameText | None = None
    locale: CodeText = "zh-CN"
    # An inspector's jurisdiction: county codes, or "county/town" codes (jurisdiction table).
    jurisdictions: CodeList = []
    employer_uscc: CodeText | None = None
    committee_code: CodeText | None = None


class UserUpdate(BaseModel):
    """Only the fields sent are changed; an empty password leaves the password as it is."""

    display_name: NameText | None = None
    email: NameText | None = None
    locale: CodeText | None = None
    password: SecretText | None = None
    jurisdictions: CodeList | None = None
    employer_uscc: CodeText | None = None
    committee_code: CodeText | None = None
    is_active: bool | None = None


class JurisdictionRef(BaseModel):
    code: str
    level: str
    name_zh: str
    name_en: str


class EmployerRef(BaseModel):
    id: int
    uscc: str
    name: str


class CommitteeRef(BaseModel):
    id: int
    code: str
    name: str


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    locale: str
    is_active: bool
    created_at: datetime
    jurisdictions: list[JurisdictionRef]
    employer: EmployerRef | None
    committee: CommitteeRef | None


class UserChange(BaseModel):
    """One audit-log entry about a user."""

    at: datetime
    actor: str
    actor_name: str | None = None  # the person's display name; None for the system
    action: str
    before: dict | None
    after: dict | None
