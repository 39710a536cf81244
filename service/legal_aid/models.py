"""Legal-aid applications made online, and the centre's decisions on them.

An application made from a tracked complaint belongs to it (`complaint_id`) and is opened by the
complaint's code and PIN; one made without a case has a code and PIN of its own. Identity
fields (name, phone, identity number) are read only by the county's legal-aid centre and, where
the centre has no account, the county's inspectors; never by an employer.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel

from service.clock import utc_now
from service.legal_aid.reference import MATTERS

STATUSES = ("received", "accepted", "refused", "lawyer_assigned", "closed")
# What may follow what: a refusal and a closing end the application (an objection to a refusal
# goes to the justice bureau, Art. 49, outside this service).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "received": ("accepted", "refused"),
    "accepted": ("lawyer_assigned", "closed"),
    "lawyer_assigned": ("closed",),
    "refused": (),
    "closed": (),
}


class LegalAidApplication(SQLModel, table=True):
    __tablename__ = "legal_aid_application"
    __table_args__ = (
        CheckConstraint(f"matter IN {MATTERS}", name="matter_valid"),
        CheckConstraint(f"status IN {STATUSES}", name="status_valid"),
        CheckConstraint("amount_fen >= 0", name="amount_nonnegative"),
        CheckConstraint("complaint_id IS NOT NULL OR tracking_code IS NOT NULL", name="tracked"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Made from a tracked case: opened with the case's code and PIN.
    complaint_id: int | None = Field(
        default=None, foreign_key="complaint.id", unique=True, index=True
    )
    # Made without a case: its own code ("LA…") and PIN, guarded like a complaint's.
    tracking_code: str | None = Field(default=None, max_length=16, unique=True)
    pin_hash: str | None = None
    pin_failures: int = 0
    locked_until: datetime | None = None
    # The county whose legal-aid centre receives it (Art. 38: where the matter arose).
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=12)
    applicant_name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    id_number: str = Field(max_length=18)
    matter: str = Field(max_length=16)
    amount_fen: int = Field(default=0, sa_type=BigInteger)
    employer_text: str = Field(max_length=200)
    account: str  # the applicant's short account of the matter
    # Art. 42(3): a migrant worker claiming wages or work-injury compensation is exempt;
    # otherwise the applicant states the hardship (Art. 41) and the centre checks it.
    hardship_check_exempt: bool
    hardship_statement: str | None = None
    language: str = Field(default="zh-CN", max_length=8)
    received_at: datetime = Field(default_factory=utc_now)
    received_on: date
    status: str = Field(default="received", max_length=16, index=True)
    refusal_reason: str | None = None
    lawyer_name: str | None = Field(default=None, max_length=50)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=utc_now)


class LegalAidEvent(SQLModel, table=True):
    """The application's timeline: received, then each status the centre records."""

    __tablename__ = "legal_aid_event"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="legal_aid_application.id", index=True)
    status: str = Field(max_length=16)
    at: datetime = Field(default_factory=utc_now)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
