"""Labour-dispute mediation committees (劳动争议调解仲裁法 Art. 10): the bodies that mediate.

A package of their own, below complaints (which routes a case to one) and mediation (which
runs the case there)."""

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

COMMITTEE_KINDS = ("enterprise", "people", "county_centre")


class MediationCommittee(SQLModel, table=True):
    __tablename__ = "mediation_committee"
    __table_args__ = (
        CheckConstraint(f"kind IN {COMMITTEE_KINDS}", name="kind_valid"),
        CheckConstraint(
            "kind <> 'enterprise' OR employer_id IS NOT NULL", name="enterprise_has_employer"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    name: str
    kind: str = Field(max_length=16)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    county_code: str = Field(foreign_key="jurisdiction.code", index=True, max_length=12)
    town: str | None = None
    contact_email: str | None = None
